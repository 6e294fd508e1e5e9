package io.lrpsidecar.app.health;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

/**
 * Asks the broker, in the background, whether it answers ({@code describeCluster}) and which of the required topics
 * exist ({@code describeTopics}), each call bounded by a timeout, and keeps the result in a {@link BrokerStatus}.
 * Owns the admin client it is given.
 */
public final class BrokerProbe implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerProbe.class);

    private final Admin admin;
    private final List<String> topics;
    private final Duration timeout;
    private final BrokerStatus status;
    private final Object probing = new Object();
    private ScheduledExecutorService scheduler;
    private Boolean lastReached;

    public BrokerProbe(Admin admin, Collection<String> topics, Duration timeout, BrokerStatus status) {
        this.admin = admin;
        this.topics = List.copyOf(topics);
        this.timeout = timeout;
        this.status = status;
    }

    /** Probes now and then every {@code interval} after the previous probe ended, on a daemon thread. */
    public synchronized void start(Duration interval) {
        if (scheduler != null) {
            throw new IllegalStateException("expected a probe that was not started yet, found one already running");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "lrp-broker-probe");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One probe: records the broker reached (with the missing topics) or unreachable (with the reason). */
    public void probe() {
        synchronized (probing) {
            probeOnce();
        }
    }

    private void probeOnce() {
        String problem;
        try {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs()))
                    .nodes().get(timeoutMs(), TimeUnit.MILLISECONDS);
            if (!nodes.isEmpty()) {
                Set<String> missing = missingTopics();
                status.reached(missing);
                logChange(true, missing.isEmpty() ? "" : "; missing topics: " + new TreeSet<>(missing));
                return;
            }
            problem = "the cluster reports no broker";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            problem = Causes.oneLine(e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            problem = "no answer within " + timeout;
        } catch (RuntimeException e) {
            problem = Causes.oneLine(e);
        }
        status.unreachable(problem);
        logChange(false, ": " + problem);
    }

    private Set<String> missingTopics() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs(timeoutMs())).topicNameValues();
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
            try {
                topic.getValue().get(timeoutMs(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                missing.add(topic.getKey());
            }
        }
        return missing;
    }

    private void logChange(boolean reached, String detail) {
        if (lastReached == null || lastReached != reached) {
            if (reached) {
                LOG.infof("Kafka broker reachable%s", detail);
            } else {
                LOG.warnf("Kafka broker unreachable%s", detail);
            }
            lastReached = reached;
        }
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        admin.close(Duration.ofSeconds(1));
    }
}
