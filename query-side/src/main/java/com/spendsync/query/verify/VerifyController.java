package com.spendsync.query.verify;

import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.concurrent.Stages;
import com.spendsync.platform.verification.KeyVerifier;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The hot path on the management server's port, on the servlet thread that took the request ({@link VerifyCalls}). */
@RestController
class VerifyController {

    private final VerifyCalls calls;
    private final KeyVerifier verifier;

    VerifyController(VerifyCalls calls, KeyVerifier verifier) {
        this.calls = calls;
        this.verifier = verifier;
    }

    @PostMapping(VerifyCalls.PATH)
    @RequiresPermission(VerifyCalls.PERMISSION_NEEDED)
    ResponseEntity<VerifyResponse> verify(@RequestBody VerifyRequest request, Caller caller) {
        VerifyCalls.Answer answer = Stages.join(calls.answer(request, caller, (hash, required, cost, scope, from) ->
                CompletableFuture.completedFuture(verifier.verifyUse(hash, required, cost, scope, from))));
        return ResponseEntity.ok().headers(answer.headers()).body(answer.body());
    }
}
