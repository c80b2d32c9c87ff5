package com.spendsync.alerting.alert;

/** How urgent an alert is; the listing filters on it by name. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL
}
