-- Inhibition rules, as Alertmanager's: while an alert matching the source matchers fires, alerts
-- matching the target matchers with the same values of the equal labels are inhibited. Matchers
-- are JSON arrays of {name, value, isRegex, isEqual}; equal_labels a JSON array of label names.
CREATE TABLE correlate_inhibition_rule (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL,
    source_matchers TEXT NOT NULL,
    target_matchers TEXT NOT NULL,
    equal_labels    TEXT NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT correlate_inhibition_rule_name UNIQUE (name)
);
