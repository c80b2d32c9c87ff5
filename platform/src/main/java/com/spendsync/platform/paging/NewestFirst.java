package com.spendsync.platform.paging;

import org.springframework.data.mongodb.core.query.Criteria;

/** The one rule for "after this item" in a listing sorted by a time and then {@code _id}, both descending. */
public final class NewestFirst {

    private NewestFirst() {
    }

    /**
     * The items after the one at ({@code time}, {@code id}): older, or as old with a smaller id. The bound on
     * {@code timeField} alone is what lets an index that starts with it (after any equality prefix) begin its walk at
     * the cursor, so a deep page costs what the first one does; the {@code $or} then drops the ties already served.
     */
    public static Criteria after(String timeField, Object time, Object id) {
        return new Criteria().andOperator(Criteria.where(timeField).lte(time), new Criteria().orOperator(
                Criteria.where(timeField).lt(time), Criteria.where("_id").lt(id)));
    }
}
