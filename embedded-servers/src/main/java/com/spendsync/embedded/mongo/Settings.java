package com.spendsync.embedded.mongo;

/** What the indexed backend is asked to do beyond storing: refuse collection scans, or not. */
record Settings(boolean noTableScan) {
}
