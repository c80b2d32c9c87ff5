package com.spendsync.allinone.lifecycle;

import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The lifecycle on the embedded default: the MongoDB-wire server on H2 files and a real redis-server binary. */
@ExtendWith(SharedSpendSync.class)
class EmbeddedKeyLifecycleTest extends KeyLifecycleContract {

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Override
    protected SpendSyncInstance instance() {
        return instance;
    }
}
