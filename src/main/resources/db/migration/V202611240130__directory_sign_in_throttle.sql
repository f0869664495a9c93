-- Failed password sign-ins per account and per client address, in the database so that every
-- node of a cluster counts the same failures (an attacker cannot multiply attempts by spreading
-- them across nodes).
CREATE TABLE directory_sign_in_throttle (
    throttle_key    TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP WITH TIME ZONE NOT NULL,
    blocked_until   TIMESTAMP WITH TIME ZONE
);
