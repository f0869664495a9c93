package io.tocsin.platform;

import java.time.DateTimeException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.ext.javatime.deser.InstantDeserializer;

/**
 * Reads times from JSON bodies within {@link TimeBounds}. {@link Bounded} is every {@code Instant}
 * field's reader; an alert sender's fields take {@link Sent} instead, with
 * {@code @JsonDeserialize(using = TimeJson.Sent.class)}, because there a time before 1970 means
 * "not set". A refusal is an {@link InvalidFormatException} for {@code Instant}, which the API
 * answers with a 422 naming the field and the range.
 */
public final class TimeJson {

  private TimeJson() {}

  private abstract static class Reader extends StdDeserializer<Instant> {

    Reader() {
      super(Instant.class);
    }

    final Instant read(JsonParser parser, DeserializationContext context) {
      // Only text: Jackson would also read a number as epoch seconds, where 1e308 overflows
      // into some year of its own instead of being refused.
      if (!parser.hasToken(JsonToken.VALUE_STRING)) {
        throw InvalidFormatException.from(
            parser, TimeBounds.RANGE, parser.getString(), Instant.class);
      }
      String text = parser.getString();
      if (text.isBlank()) {
        throw InvalidFormatException.from(parser, TimeBounds.RANGE, text, Instant.class);
      }
      Instant time;
      try {
        time = InstantDeserializer.INSTANT.deserialize(parser, context);
      } catch (DateTimeException | ArithmeticException e) {
        throw InvalidFormatException.from(parser, TimeBounds.RANGE, text, Instant.class);
      }
      if (time == null || time.isAfter(TimeBounds.LATEST)) {
        throw InvalidFormatException.from(parser, TimeBounds.RANGE, time, Instant.class);
      }
      return time;
    }
  }

  /** An API's time: 1970 to 9999. */
  public static final class Bounded extends Reader {

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) {
      Instant time = read(parser, context);
      if (time.isBefore(TimeBounds.EARLIEST)) {
        throw InvalidFormatException.from(parser, TimeBounds.RANGE, time, Instant.class);
      }
      return time;
    }
  }

  /**
   * A sender's time: up to 9999, and anything before 1970 is null (see {@link TimeBounds#sent}).
   */
  public static final class Sent extends Reader {

    @Override
    public @Nullable Instant deserialize(JsonParser parser, DeserializationContext context) {
      Instant time = read(parser, context);
      return time.isBefore(TimeBounds.EARLIEST) ? null : time;
    }
  }
}
