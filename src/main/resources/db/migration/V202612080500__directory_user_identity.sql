-- Who a user is at each identity provider they signed in through: the provider's key in the
-- settings and the ID token's subject, which, unlike an email, the provider never reuses.
CREATE TABLE directory_user_identity (
    provider        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    user_id         UUID NOT NULL REFERENCES directory_user (id) ON DELETE CASCADE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    last_sign_in_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT directory_user_identity_pkey PRIMARY KEY (provider, subject)
);
CREATE INDEX directory_user_identity_user ON directory_user_identity (user_id);
