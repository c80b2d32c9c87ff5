package com.spendsync.platform.verification;

import com.spendsync.api.keyformat.KeyHash;
import java.util.Optional;

/**
 * Where verification looks when Redis has no entry for a secret or cannot be reached: the MongoDB key view, in the
 * processes that keep it.
 */
public interface VerificationFallback {

    Optional<SecretEntry> lookup(KeyHash hash);
}
