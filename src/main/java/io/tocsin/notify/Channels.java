package io.tocsin.notify;

import io.tocsin.platform.InvalidInputException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The channels this server can deliver through: every {@link Channel} bean, by type. */
@Component
class Channels {

  private final Map<ChannelType, Channel> byType = new EnumMap<>(ChannelType.class);

  Channels(List<Channel> channels) {
    channels.forEach(channel -> byType.put(channel.type(), channel));
  }

  Optional<Channel> find(ChannelType type) {
    return Optional.ofNullable(byType.get(type));
  }

  /** The channel of a type, or 422 when this server cannot deliver through it. */
  Channel get(ChannelType type) {
    return find(type)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "type", type.text() + " is not configured on this server"));
  }

  List<ChannelType> available() {
    return List.copyOf(byType.keySet());
  }
}
