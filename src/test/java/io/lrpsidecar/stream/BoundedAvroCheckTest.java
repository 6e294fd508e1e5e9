package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.events.v1.PredictionEvent;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bounds walk that precedes every decode costs one pass over the lengths, and still explains its refusals. */
class BoundedAvroCheckTest {
    private static final int HEADER_LENGTH = 10;
    private static final int CHECKS = 20_000;

    /** A prediction with its nullable (union) fields set and unset, as the sidecar reads millions of them. */
    private static byte[] encodedEvent() {
        PredictionEvent event = PredictionEvent.newBuilder().setEventId("event-1").setModelName("digits")
                .setModelVersion("1").setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setInput(TensorCodec.float32(List.of(1L, 4L), new double[] {0.1, 0.2, 0.3, 0.4}))
                .setReportedClass(3).setTargetClass(2).setAttributes(Map.of("region", "eu")).build();
        return new AvroSerde<PredictionEvent>(PredictionEvent.getClassSchema()).encode(event);
    }

    @Test
    void checkingAValidRecordBuildsNoMessages() {
        byte[] bytes = encodedEvent();
        for (int warm = 0; warm < CHECKS; warm++) {
            BoundedAvroCheck.check(PredictionEvent.getClassSchema(), bytes, HEADER_LENGTH);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int check = 0; check < CHECKS; check++) {
            BoundedAvroCheck.check(PredictionEvent.getClassSchema(), bytes, HEADER_LENGTH);
        }
        double perCheck = (threads.getCurrentThreadAllocatedBytes() - before) / (double) CHECKS;
        // a union's branches printed as schema JSON, as the messages of refusals were built before, cost kilobytes
        assertTrue(perCheck < 512, "expected the walk over a valid " + bytes.length + "-byte prediction to allocate "
                + "less than 512 bytes, found " + perCheck + " bytes per check");
    }

    @Test
    void anOutOfRangeUnionBranchIsNamedWithTheUnion() {
        byte[] bytes = encodedEvent();
        int branch = unionBranchOfTargetClass(bytes);
        bytes[branch] = 0x08;
        BoundedAvroCheck.MalformedAvroException refused = assertThrows(BoundedAvroCheck.MalformedAvroException.class,
                () -> BoundedAvroCheck.check(PredictionEvent.getClassSchema(), bytes, HEADER_LENGTH));
        assertTrue(refused.getMessage().contains("branch of union [\"null\", \"int\"] index of 0 to 1")
                && refused.getMessage().contains("found 4"), refused.getMessage());
    }

    /** The byte of {@code target_class}'s union branch: the varint 2 (branch 1, zig-zag) before the int 2 (4). */
    private static int unionBranchOfTargetClass(byte[] bytes) {
        byte[] without = new AvroSerde<PredictionEvent>(PredictionEvent.getClassSchema()).encode(
                PredictionEvent.newBuilder().setEventId("event-1").setModelName("digits").setModelVersion("1")
                        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                        .setInput(TensorCodec.float32(List.of(1L, 4L), new double[] {0.1, 0.2, 0.3, 0.4}))
                        .setReportedClass(3).setAttributes(Map.of("region", "eu")).build());
        for (int i = HEADER_LENGTH; i < without.length; i++) {
            if (without[i] != bytes[i]) {
                return i;
            }
        }
        throw new AssertionError("expected the encodings with and without a target class to differ");
    }
}
