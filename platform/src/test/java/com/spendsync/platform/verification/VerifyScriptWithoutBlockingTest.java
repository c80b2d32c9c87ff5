package com.spendsync.platform.verification;

import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyHash;
import java.util.List;
import java.util.Map;

/** Every case of {@link VerifyScriptTest} again, through the script call that does not block (Lettuce's reactive API). */
class VerifyScriptWithoutBlockingTest extends VerifyScriptTest {

    @Override
    Verification verifyUse(KeyHash hash, List<String> requiredPermissions, Map<String, Integer> costs,
                           KeyScope scope, String source) {
        return verifier.verifyUseWithoutBlocking(hash, requiredPermissions, costs, scope, source, Runnable::run)
                .toCompletableFuture().join();
    }
}
