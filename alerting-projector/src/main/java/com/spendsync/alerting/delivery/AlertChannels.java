package com.spendsync.alerting.delivery;

import java.util.List;

/** The channels set up on this deployment; none when no address is configured. */
record AlertChannels(List<AlertChannel> all) {
}
