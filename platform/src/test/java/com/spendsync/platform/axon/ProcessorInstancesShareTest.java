package com.spendsync.platform.axon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** How the live instances divide a processor's segments: every one works out its share from the same heartbeats. */
class ProcessorInstancesShareTest {

    @Test
    void aCountThatDoesNotDivideGivesTheRemainderToTheFirstInstances() {
        List<String> nodes = List.of("query-b", "query-c", "query-a");

        assertThat(nodes.stream().map(node -> ProcessorInstances.shareOf(4, nodes, node)))
                .as("b, c, a").containsExactly(1, 1, 2);
        assertThat(nodes.stream().map(node -> ProcessorInstances.shareOf(2, nodes, node)))
                .as("more instances than segments").containsExactly(1, 0, 1);
    }

    @Test
    void anInstanceNotYetInTheHeartbeatsCountsAsTheLast() {
        assertThat(ProcessorInstances.shareOf(4, List.of("query-a"), "query-b")).isEqualTo(2);
        assertThat(ProcessorInstances.shareOf(4, List.of(), "query-a")).isEqualTo(4);
    }

    @Property(tries = 200)
    void theSharesAddUpToTheSegmentsAndDifferByOneAtMost(@ForAll @IntRange(min = 1, max = 64) int segments,
                                                          @ForAll @IntRange(min = 1, max = 9) int instances) {
        List<String> nodes = IntStream.range(0, instances).mapToObj(i -> "node-" + (char) ('a' + i)).toList();

        List<Integer> shares = nodes.stream().map(node -> ProcessorInstances.shareOf(segments, nodes, node)).toList();

        assertThat(shares.stream().mapToInt(Integer::intValue).sum()).isEqualTo(segments);
        assertThat(shares.stream().mapToInt(Integer::intValue).max().orElseThrow()
                - shares.stream().mapToInt(Integer::intValue).min().orElseThrow()).isLessThanOrEqualTo(1);
    }
}
