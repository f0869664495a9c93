package io.tocsin.platform.web;

import io.tocsin.platform.EnumText;
import io.tocsin.platform.TimeBounds;
import io.tocsin.platform.TimeJson;
import java.text.ParseException;
import java.time.Instant;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.convert.converter.ConverterFactory;
import org.springframework.format.Formatter;
import org.springframework.format.FormatterRegistry;
import org.springframework.format.datetime.standard.InstantFormatter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.module.SimpleModule;

/**
 * Makes query and path parameters follow the same rules as JSON bodies: enums in any case, 422 with
 * the allowed values for anything unknown, and times within {@link TimeBounds} (see {@link
 * ApiExceptionHandler#handleTypeMismatch}); JSON bodies read every time through {@link
 * TimeJson.Bounded}.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

  @Override
  public void addFormatters(FormatterRegistry registry) {
    registry.addConverterFactory(new CaseInsensitiveEnums());
    registry.addFormatterForFieldType(Instant.class, new BoundedInstants());
  }

  @Bean
  JacksonModule boundedTimes() {
    return new SimpleModule("tocsin-time-bounds")
        .addDeserializer(Instant.class, new TimeJson.Bounded());
  }

  /** Spring's own reading of a time parameter, then the bounds; a refusal is a type mismatch. */
  private static final class BoundedInstants implements Formatter<Instant> {

    private final InstantFormatter spring = new InstantFormatter();

    @Override
    public Instant parse(String text, Locale locale) throws ParseException {
      Instant time = spring.parse(text, locale);
      if (!TimeBounds.within(time)) {
        throw new IllegalArgumentException(TimeBounds.RANGE);
      }
      return time;
    }

    @Override
    public String print(Instant time, Locale locale) {
      return spring.print(time, locale);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class CaseInsensitiveEnums implements ConverterFactory<String, Enum> {

    @Override
    public <T extends Enum> Converter<String, T> getConverter(Class<T> targetType) {
      return source -> (T) EnumText.parse((Class) targetType, "value", source);
    }
  }
}
