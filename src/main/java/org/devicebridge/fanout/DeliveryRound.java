package org.devicebridge.fanout;

import java.util.List;

/** A subscriber leased to one delivery round, with its next events in the order they must arrive. */
public record DeliveryRound(String subscriber, String leaseToken, List<Delivery> deliveries) {
}
