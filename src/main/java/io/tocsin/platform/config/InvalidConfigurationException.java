package io.tocsin.platform.config;

import java.util.List;

/** Thrown at startup when settings make the server unsafe or unable to run. */
public final class InvalidConfigurationException extends RuntimeException {

  private final List<String> problems;

  public InvalidConfigurationException(List<String> problems) {
    super(describe(problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  static String describe(List<String> problems) {
    StringBuilder text =
        new StringBuilder("Tocsin cannot start: ")
            .append(problems.size())
            .append(problems.size() == 1 ? " configuration problem" : " configuration problems");
    problems.forEach(problem -> text.append(System.lineSeparator()).append("  - ").append(problem));
    return text.toString();
  }
}
