package io.tocsin.platform.web;

import io.tocsin.platform.EnumText;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.convert.converter.ConverterFactory;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Makes query and path parameters follow the same enum rules as JSON bodies: any case in, 422 with
 * the allowed values for anything unknown (see {@link ApiExceptionHandler#handleTypeMismatch}).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

  @Override
  public void addFormatters(FormatterRegistry registry) {
    registry.addConverterFactory(new CaseInsensitiveEnums());
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class CaseInsensitiveEnums implements ConverterFactory<String, Enum> {

    @Override
    public <T extends Enum> Converter<String, T> getConverter(Class<T> targetType) {
      return source -> (T) EnumText.parse((Class) targetType, "value", source);
    }
  }
}
