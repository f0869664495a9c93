/**
 * API tokens: issued once, stored as an HMAC, revoked by their owner or an admin. Exposed so that
 * the console's profile page can list, issue and revoke the signed-in person's tokens.
 */
@NamedInterface("token")
@NullMarked
package io.tocsin.directory.token;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
