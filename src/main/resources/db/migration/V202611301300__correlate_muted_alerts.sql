-- Firing alerts that a silence or an inhibition rule kept out of every incident. They are checked
-- again while they fire: when the silence ends or the inhibiting alert resolves, a still-firing
-- alert is correlated as if it had just fired, as Alertmanager notifies it then.
CREATE TABLE correlate_muted_alert (
    alert_id UUID PRIMARY KEY,
    alert    TEXT NOT NULL
);
