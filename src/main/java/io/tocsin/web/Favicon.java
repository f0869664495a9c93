package io.tocsin.web;

import java.time.Duration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The icon browsers ask for at {@code /favicon.ico} on their own, on pages that name no icon (an
 * error page, the API's documentation). The console's files are served under {@code /web/} only, so
 * this one address is answered here.
 */
@Controller
class Favicon {

  private static final Resource ICON = new ClassPathResource("static/web/favicon.ico");

  @GetMapping("/favicon.ico")
  ResponseEntity<Resource> icon() {
    return ResponseEntity.ok()
        .contentType(MediaType.valueOf("image/x-icon"))
        .cacheControl(CacheControl.maxAge(Duration.ofDays(7)).cachePublic())
        .body(ICON);
  }
}
