package com.spendsync.platform.paging;

import com.spendsync.platform.problem.FieldProblem;
import java.util.List;

/** The one rule for a listing's {@code limit}: a page holds from 1 to the listing's maximum items. */
public final class PageLimits {

    private PageLimits() {
    }

    /** Adds a problem naming {@code limit} when {@code pageSize} is outside 1 to {@code max}. */
    public static void check(int pageSize, int max, List<FieldProblem> problems) {
        if (pageSize < 1 || pageSize > max) {
            problems.add(new FieldProblem("limit", "must be from 1 to " + max));
        }
    }
}
