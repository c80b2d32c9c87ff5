package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.ApiKeySecret;
import java.time.Instant;

/** What a rotation hands back to its caller: the new secret, once, and when the previous one stops working. */
public record RotatedSecret(ApiKeySecret secret, Instant previousKeyExpiresAt) {
}
