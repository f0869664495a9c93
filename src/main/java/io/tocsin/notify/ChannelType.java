package io.tocsin.notify;

import io.tocsin.platform.EnumText;

/** The kinds of contact method Tocsin can deliver to. */
public enum ChannelType {
  EMAIL,
  WEBHOOK,
  /** A Slack-compatible incoming webhook: Slack, Mattermost and Rocket.Chat take the same shape. */
  SLACK,
  /** A Microsoft Teams workflow webhook, given an Adaptive Card. */
  TEAMS,
  /** ntfy push to phones, through a self-hosted or public ntfy server. */
  NTFY;

  public String text() {
    return EnumText.canonical(this);
  }
}
