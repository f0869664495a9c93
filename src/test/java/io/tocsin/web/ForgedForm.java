package io.tocsin.web;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * A form post made by script from the open page, with the session and the CSRF token, as a forged
 * form would send it: what the server answers depends on the role alone.
 */
final class ForgedForm {

  private ForgedForm() {}

  /** POSTs {@code body}, form-encoded, to {@code path}, and returns the status. */
  static int post(WebDriver browser, String path, String body) {
    Number status =
        (Number)
            ((JavascriptExecutor) browser)
                .executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                        + "const token = document.cookie.split('; ')"
                        + ".find(c => c.startsWith('XSRF-TOKEN=')).substring(11);"
                        + "fetch(arguments[0], {method: 'POST',"
                        + " headers: {'X-XSRF-TOKEN': decodeURIComponent(token),"
                        + " 'Content-Type': 'application/x-www-form-urlencoded'},"
                        + " body: arguments[1], redirect: 'manual'}).then(r => done(r.status));",
                    path,
                    body);
    return status.intValue();
  }
}
