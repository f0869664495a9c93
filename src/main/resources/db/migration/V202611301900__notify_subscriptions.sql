-- People and teams who follow a service's incidents without being paged: they hear when one
-- opens, every status update, and when it resolves, through their low-urgency channel.
CREATE TABLE notify_subscription (
    id              UUID PRIMARY KEY,
    service_id      UUID NOT NULL,
    subscriber_kind TEXT NOT NULL,
    subscriber_id   UUID NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT notify_subscription_once UNIQUE (service_id, subscriber_kind, subscriber_id),
    CONSTRAINT notify_subscription_kind_check CHECK (subscriber_kind IN ('user', 'team'))
);
