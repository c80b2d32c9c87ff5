package com.spendsync.query.keyview;

import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.auth.Visibility;
import com.spendsync.platform.paging.Cursors;
import com.spendsync.platform.paging.PageLimits;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import com.spendsync.platform.problem.ResourceNotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import org.springframework.data.mongodb.core.query.Criteria;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads of the key query view, each within the reader's authority: a key outside its scope is not found, and
 * listings leave out what the reader may not read. No response carries a hash.
 */
@RestController
class KeyQueryController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    private static final String CURSOR_KIND = "keys";
    private static final String READ = "keys:read";
    private static final Pattern OWNER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private final KeyViews views;
    private final Clock clock;

    KeyQueryController(KeyViews views, Clock clock) {
        this.views = views;
        this.clock = clock;
    }

    record KeyPage(List<KeyView> items, String nextCursor) {
    }

    @GetMapping("/v1/keys/{keyId}")
    @RequiresPermission("keys:read")
    KeyView get(@PathVariable String keyId, Caller caller) {
        KeyView view = views.find(keyId);
        if (view == null) {
            throw new ResourceNotFoundException("no key has this id");
        }
        caller.authority().requireOver(view.asManaged(), READ);
        return view.asOf(clock.instant());
    }

    @GetMapping("/v1/keys")
    @RequiresPermission("keys:read")
    KeyPage list(@RequestParam(required = false) String ownerId, @RequestParam(required = false) String status,
                 @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor,
                 Caller caller) {
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        KeyStatus wanted = validate(ownerId, status, pageSize);
        List<String> after = Cursors.decode(cursor, CURSOR_KIND, 1);
        Authority reader = caller.authority();
        if (ownerId != null && !reader.sees(ownerId)) {
            return new KeyPage(List.of(), null);
        }
        Criteria visible = Visibility.of(reader, "ownerId", "environment", KeyEnvironment.TEST);
        // keys stronger than the reader are skipped while reading on, so the cursor names only a key it was shown
        List<KeyView> readable = new ArrayList<>();
        String from = after == null ? null : after.get(0);
        while (readable.size() <= pageSize) {
            List<KeyView> batch = views.page(ownerId, wanted == null ? null : wanted.name(), from, pageSize + 1,
                    visible);
            batch.stream().filter(view -> reader.permits(view.asManaged(), READ)).forEach(readable::add);
            if (batch.size() <= pageSize) {
                break;
            }
            from = batch.get(batch.size() - 1).keyId();
        }
        Instant now = clock.instant();
        List<KeyView> items = readable.stream().limit(pageSize).map(view -> view.asOf(now)).toList();
        String next = readable.size() > pageSize ? Cursors.encode(CURSOR_KIND, items.get(items.size() - 1).keyId())
                : null;
        return new KeyPage(items, next);
    }

    private static KeyStatus validate(String ownerId, String status, int limit) {
        List<FieldProblem> problems = new ArrayList<>();
        if (ownerId != null && !OWNER_ID.matcher(ownerId).matches()) {
            problems.add(new FieldProblem("ownerId", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -"));
        }
        KeyStatus wanted = null;
        if (status != null) {
            wanted = Arrays.stream(KeyStatus.values()).filter(s -> s.label().equals(status)).findFirst().orElse(null);
            if (wanted == null) {
                problems.add(new FieldProblem("status", "must be one of active, rotating, revoked, expired"));
            }
        }
        PageLimits.check(limit, MAX_LIMIT, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return wanted;
    }
}
