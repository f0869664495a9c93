/**
 * Single sign-on with OpenID Connect: the providers an operator configures, the sign-in through
 * each (authorization code with PKCE), and the accounts it creates and keeps up to date, with the
 * role their groups map to. Owns the table {@code directory_user_identity}.
 */
@NamedInterface("sso")
@NullMarked
package io.tocsin.directory.sso;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
