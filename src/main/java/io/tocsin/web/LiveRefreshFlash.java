package io.tocsin.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.support.SessionFlashMapManager;

/**
 * Keeps a form's answer ("#12 acknowledged; it is yours now") for the page the browser is sent to.
 * The action's own event makes the page being left fetch itself again (tocsin.js, with {@link
 * #HEADER}); that fetch often asks for the same address as the redirect, so Spring would hand it
 * the one-time notice and the page the person lands on would show none.
 *
 * <p>It takes the place of Spring MVC's flash map manager, which is a bean of Spring Boot's own web
 * configuration under the name the dispatcher looks up.
 */
@Component
class LiveRefreshFlash implements BeanPostProcessor {

  static final String HEADER = "X-Tocsin-Live-Refresh";

  @Override
  public Object postProcessAfterInitialization(Object bean, String name) {
    return DispatcherServlet.FLASH_MAP_MANAGER_BEAN_NAME.equals(name) ? new Keeping() : bean;
  }

  /** Hands no flash map to a live refresh, so that the next ordinary request gets it. */
  private static final class Keeping extends SessionFlashMapManager {
    @Override
    protected @Nullable List<FlashMap> retrieveFlashMaps(HttpServletRequest request) {
      return request.getHeader(HEADER) != null ? null : super.retrieveFlashMaps(request);
    }
  }
}
