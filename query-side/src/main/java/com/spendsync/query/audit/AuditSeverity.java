package com.spendsync.query.audit;

/** How much attention an audit entry deserves; {@link AuditClassification} decides it per event type. */
enum AuditSeverity {
    INFO,
    WARNING
}
