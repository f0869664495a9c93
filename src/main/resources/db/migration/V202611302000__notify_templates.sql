-- Admins' own subject and body templates (Mustache) per channel and kind of message; without a
-- row, the built-in template applies. A template is checked when saved, never when a page is due.
CREATE TABLE notify_template (
    channel    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel, kind),
    CONSTRAINT notify_template_kind_check CHECK (kind IN ('page', 'subscription'))
);
