package io.lrpsidecar.bench;

import io.lrpsidecar.graph.Graph;

/** The benchmark networks of issue #3, with random weights from fixed seeds. */
final class BenchmarkModels {
    private BenchmarkModels() {
    }

    /** VGG-style on 3x64x64: conv 32-M-64-M-128-128-M-256-256-M (3x3, ReLU), dense 256, 10 classes. */
    static Graph vgg64() {
        NetworkBuilder net = new NetworkBuilder(64, 3, 64, 64);
        String x = net.input();
        int channels = 3;
        int size = 64;
        for (Object layer : new Object[] {32, "M", 64, "M", 128, 128, "M", 256, 256, "M"}) {
            if (layer instanceof Integer width) {
                x = net.relu(net.conv(x, channels, width, 3, 1, 1));
                channels = width;
            } else {
                x = net.maxPool(x, 2, 2, 0);
                size /= 2;
            }
        }
        x = net.flatten(x);
        x = net.relu(net.dense(x, channels * size * size, 256));
        String logits = net.dense(x, 256, 10);
        return net.build("vgg64", logits, 10);
    }

    /** ResNet-18-style on 3x224x224: stem 7x7/2 + BN + max pool, 4 stages of 2 basic blocks, global pool, 10 classes. */
    static Graph resnet18() {
        NetworkBuilder net = new NetworkBuilder(18, 3, 224, 224);
        String x = net.relu(net.batchNorm(net.conv(net.input(), 3, 64, 7, 2, 3), 64));
        x = net.maxPool(x, 3, 2, 1);
        int channels = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < widths.length; stage++) {
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                int width = widths[stage];
                String out = net.relu(net.batchNorm(net.conv(x, channels, width, 3, stride, 1), width));
                out = net.batchNorm(net.conv(out, width, width, 3, 1, 1), width);
                String identity = x;
                if (stride != 1 || channels != width) {
                    identity = net.batchNorm(net.conv(x, channels, width, 1, stride, 0), width);
                }
                x = net.relu(net.residualAdd(out, identity));
                channels = width;
            }
        }
        String logits = net.dense(net.flatten(net.globalAveragePool(x)), channels, 10);
        return net.build("resnet18", logits, 10);
    }
}
