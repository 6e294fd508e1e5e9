package io.lrpsidecar.drift;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * One partition's profiles of one model: the baseline window and the current window, with a binary encoding for a
 * changelogged store. Its size depends only on the cells and the settings, never on the traffic:
 * {@code 8 * cells * (windowBlocks + 1)} bytes and a few dozen more.
 * <ul>
 *   <li>Baseline: the contributions of the first {@code baselineEvents} explanations, then fixed; or, after
 *   {@link #pin}, the current window as it was then.</li>
 *   <li>Current window: a ring of {@code windowBlocks} blocks of at most {@code blockEvents} events each. An event
 *   goes into the open block; when that is full, the oldest block is emptied and opened. The window thus holds the
 *   last {@code windowEvents - blockEvents + 1} to {@code windowEvents} events once it has seen that many.</li>
 * </ul>
 */
public final class AttributionProfile {
    private static final byte FORMAT = 2;
    private final DriftSettings settings;
    private final double[] baseline;
    private long baselineEvents;
    private boolean pinned;
    private long pinnedAtMs;
    private String lastPinId = "";
    private final double[][] blocks;
    private final long[] blockEvents;
    private int openBlock;

    /** Empty profiles over {@code cells} cells. */
    public AttributionProfile(int cells, DriftSettings settings) {
        this.settings = settings;
        this.baseline = new double[cells];
        this.blocks = new double[settings.windowBlocks()][cells];
        this.blockEvents = new long[settings.windowBlocks()];
    }

    /** Adds one event's contribution (its normalised cell masses) to the current window, and to a filling baseline. */
    public void add(double[] contribution) {
        if (contribution.length != baseline.length) {
            throw new IllegalArgumentException("expected a contribution over " + baseline.length + " cells, found "
                    + contribution.length);
        }
        if (!baselineComplete()) {
            accumulate(baseline, contribution);
            baselineEvents++;
        }
        if (blockEvents[openBlock] >= settings.blockEvents()) {
            openBlock = (openBlock + 1) % blocks.length;
            java.util.Arrays.fill(blocks[openBlock], 0);
            blockEvents[openBlock] = 0;
        }
        accumulate(blocks[openBlock], contribution);
        blockEvents[openBlock]++;
    }

    /**
     * Makes the current window the baseline, once per pin id: a pin already applied (a retried request, a control
     * record read again) changes nothing.
     *
     * @return whether the pin was applied now
     */
    public boolean pin(String pinId, long nowMs) {
        if (pinId.equals(lastPinId)) {
            return false;
        }
        double[] current = currentMass();
        System.arraycopy(current, 0, baseline, 0, baseline.length);
        baselineEvents = currentEvents();
        pinned = true;
        pinnedAtMs = nowMs;
        lastPinId = pinId;
        return true;
    }

    private boolean baselineComplete() {
        return pinned || baselineEvents >= settings.baselineEvents();
    }

    private double[] currentMass() {
        double[] mass = new double[baseline.length];
        for (double[] block : blocks) {
            accumulate(mass, block);
        }
        return mass;
    }

    private long currentEvents() {
        long events = 0;
        for (long count : blockEvents) {
            events += count;
        }
        return events;
    }

    /** The profiles as they are now. */
    public ProfileShare share() {
        return new ProfileShare(baseline, baselineEvents, baselineComplete(),
                pinned ? ProfileShare.PINNED : ProfileShare.FIRST_EVENTS, pinnedAtMs, currentMass(), currentEvents());
    }

    private static void accumulate(double[] into, double[] values) {
        for (int cell = 0; cell < into.length; cell++) {
            into[cell] += values[cell];
        }
    }

    /** The binary form kept in the store. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(baseline.length);
            out.writeInt(blocks.length);
            out.writeInt(settings.blockEvents());
            out.writeLong(baselineEvents);
            out.writeBoolean(pinned);
            out.writeLong(pinnedAtMs);
            out.writeUTF(lastPinId);
            writeDoubles(out, baseline);
            out.writeInt(openBlock);
            for (int block = 0; block < blocks.length; block++) {
                out.writeLong(blockEvents[block]);
                writeDoubles(out, blocks[block]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The profiles encoded in {@code bytes}; empty when they were kept for other cells, another window layout or in
     * another format (the model or its drift settings changed), so that the profiles start afresh.
     */
    public static Optional<AttributionProfile> decode(byte[] bytes, int cells, DriftSettings settings) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readByte() != FORMAT || in.readInt() != cells || in.readInt() != settings.windowBlocks()
                    || in.readInt() != settings.blockEvents()) {
                return Optional.empty();
            }
            AttributionProfile profile = new AttributionProfile(cells, settings);
            profile.baselineEvents = in.readLong();
            profile.pinned = in.readBoolean();
            profile.pinnedAtMs = in.readLong();
            profile.lastPinId = in.readUTF();
            readDoubles(in, profile.baseline);
            profile.openBlock = in.readInt();
            for (int block = 0; block < profile.blocks.length; block++) {
                profile.blockEvents[block] = in.readLong();
                readDoubles(in, profile.blocks[block]);
            }
            return Optional.of(profile);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        for (double value : values) {
            out.writeDouble(value);
        }
    }

    private static void readDoubles(DataInputStream in, double[] into) throws IOException {
        for (int i = 0; i < into.length; i++) {
            into[i] = in.readDouble();
        }
    }
}
