package io.lrpsidecar.app;

import io.lrpsidecar.stream.StreamTopics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The sidecar's configuration ({@code lrp.*} in application.properties or the environment). */
@ConfigMapping(prefix = "lrp")
public interface SidecarConfig {

    /** Topic names. */
    Topics topics();

    /** Where and how compiled explainers run. */
    Runtime runtime();

    /** How often waiting batches are checked against their max-wait. */
    @WithDefault("10ms")
    Duration punctuateInterval();

    /** Attempts at explaining a batch before its events are dead-lettered. */
    @WithDefault("3")
    int explainAttempts();

    /** Size limits of records. */
    Limits limits();

    /** Size limits of records. */
    interface Limits {
        /**
         * The largest record read or written, in bytes: larger prediction records are dead-lettered before they are
         * decoded, larger explanations are dead-lettered instead of sent, and dead letters keep prefixes of the
         * original bytes to stay below it. The producer's {@code max.request.size} and the internal topics'
         * {@code max.message.bytes} are derived from it (application.properties); the topics the sidecar writes need
         * {@code max.message.bytes} of at least this.
         */
        @WithDefault("1000000")
        int maxRecordBytes();
    }

    /** The served models by name. */
    Map<String, Model> models();

    /** The embedded broker of demo mode (no kafka.bootstrap.servers). */
    Embedded embedded();

    /** The demo producer of demo mode. */
    Demo demo();

    /** The embedded broker of demo mode. */
    interface Embedded {
        /** Where the broker keeps its data (kept across restarts). */
        @WithDefault("target/embedded-kafka")
        String dataDir();

        /** Partitions of each topic it creates. */
        @WithDefault("2")
        int partitions();
    }

    /** The demo producer. */
    interface Demo {
        /** Prediction events per second (0: off). */
        @WithDefault("20")
        double rate();
    }

    /** Topic names. */
    interface Topics {
        @WithDefault("predictions")
        String predictions();

        @WithDefault("explanations")
        String explanations();

        @WithDefault("explanation-metrics")
        String metrics();

        @WithDefault("predictions-flagged")
        String flagged();

        @WithDefault("predictions-dlq")
        String deadLetters();

        @WithDefault("predictions-replay")
        String predictionsReplay();

        @WithDefault("explanations-replay")
        String explanationsReplay();

        /** All topics as the stream names them. */
        default StreamTopics streamTopics() {
            return new StreamTopics(predictions(), explanations(), metrics(), flagged(), deadLetters(),
                    predictionsReplay(), explanationsReplay());
        }
    }

    /** The query API. */
    Api api();

    /** The query API's limits and protection. */
    interface Api {
        /**
         * The key that write endpoints ({@code POST /explain}, {@code POST /replays}) require. Without one they are
         * refused, except in the embedded demo mode, where they are open (and a log line says so).
         */
        Optional<String> key();

        /** The request header carrying the key. */
        @WithDefault("X-API-Key")
        String keyHeader();

        /** Whether Swagger UI is served at {@code /q/swagger-ui}; unset: only in the embedded demo mode. */
        Optional<Boolean> swaggerUi();

        /** How long explanations stay queryable. */
        @WithDefault("6h")
        Duration retention();

        /** Most explanations one listing returns. */
        @WithDefault("500")
        int maxLimit();

        /** Most events one replay selects. */
        @WithDefault("10000")
        int maxReplayEvents();

        /** This instance's address as other instances reach it ({@code host:port}), for forwarded queries. */
        Optional<String> advertisedAddress();

        /** The rate limit of the write endpoints. */
        RateLimit rateLimit();
    }

    /**
     * The rate limit of the write endpoints ({@code POST /explain}, {@code POST /replays}): a token bucket per API
     * key, or per client address in the open demo mode. Over it: 429 with Retry-After.
     */
    interface RateLimit {
        /** Requests per second one key may make on average (0: no limit). */
        @WithDefault("10")
        double requestsPerSecond();

        /** Requests one key may make at once after a quiet spell (the bucket's size). */
        @WithDefault("20")
        int burst();

        /** Most keys (or addresses) tracked at once; beyond it the least recently seen is forgotten. */
        @WithDefault("10000")
        int maxTrackedClients();
    }

    /** ONNX Runtime settings. */
    interface Runtime {
        /** cpu, auto (CUDA when usable, else CPU with a warning) or gpu (fail fast). */
        @WithDefault("cpu")
        String device();

        /** Intra-op threads per explainer (0: one per physical core). */
        @WithDefault("0")
        int threads();
    }

    /** One served model. */
    interface Model {
        /** The ONNX file. */
        String file();

        /** The version events must name. */
        @WithDefault("1")
        String version();

        /** The composite spec, such as {@code epsilon-gamma-box(low=0,high=1)}. */
        @WithDefault("epsilon-plus-flat")
        String composite();

        /** The name the model's input must have (checked at load). */
        Optional<String> inputName();

        /** The value to explain, when not the first output (or the input of a final Softmax). */
        Optional<String> logitsName();

        /** Lowest input value, the ZBox bound of {@code epsilon-gamma-box} when its spec gives none. */
        Optional<Double> dataRangeLow();

        /** Highest input value, the ZBox bound of {@code epsilon-gamma-box} when its spec gives none. */
        Optional<Double> dataRangeHigh();

        /** predicted, reported or label. */
        @WithDefault("predicted")
        String targetPolicy();

        /**
         * A class index K or {@code second} (the runner-up): explanations answer why the target rather than it
         * (relevance of the target minus relevance of K) unless the event names its own contrast class; unset: plain.
         */
        Optional<String> contrast();

        /** Names of the input features in C order. */
        Optional<List<String>> featureNames();

        @WithDefault("32")
        int maxBatchSize();

        @WithDefault("50ms")
        Duration maxWait();

        /** Relative conservation error above which CONSERVATION is flagged. */
        @WithDefault("0.5")
        double conservationThreshold();

        /** Top softmax probability below which LOW_CONFIDENCE is flagged. */
        @WithDefault("0.5")
        double lowConfidence();

        /** Largest reported-vs-recomputed logit difference before PREDICTION_MISMATCH. */
        @WithDefault("0.001")
        double logitTolerance();

        /** The largest input tensor accepted, in bytes. */
        @WithDefault("4194304")
        int maxInputBytes();

        /** How many top features an explanation lists. */
        @WithDefault("10")
        int topK();

        /** The name of every class in logit order (as many as the model has classes); unset: classes by index. */
        Optional<List<String>> classNames();

        /** How many of the most probable classes an explanation lists (capped by the number of classes). */
        @WithDefault("5")
        int topClasses();

        /**
         * Per input feature (flat C order), the mean of a standard scaler: the model saw {@code (raw - mean) / std},
         * and explanations show {@code value * std + mean} as the raw value. Set with {@link #featureStd()}.
         */
        Optional<List<Double>> featureMean();

        /** Per input feature, the standard deviation of a standard scaler. Set with {@link #featureMean()}. */
        Optional<List<Double>> featureStd();

        /**
         * Per input feature, the minimum of a min/max scaler: the model saw {@code (raw - min) / (max - min)}.
         * Set with {@link #featureMax()}, instead of mean and std.
         */
        Optional<List<Double>> featureMin();

        /** Per input feature, the maximum of a min/max scaler. Set with {@link #featureMin()}. */
        Optional<List<Double>> featureMax();

        /**
         * Composites that events and requests may ask for instead of the default (a built-in name allows any of its
         * parameters; other entries must equal the canonical spec). Unset: any composite.
         */
        Optional<List<String>> allowedComposites();

        /** Compiled explainers of composite overrides kept (least recently used evicted). */
        @WithDefault("8")
        int maxCompiledOverrides();

        /**
         * Token models only: a UTF-8 text file with one token string per line, the line number (from 0) being the
         * token id (a BERT-style {@code vocab.txt}); at most 16 MiB, and no more lines than the embedding table has
         * rows. Explanations then carry the token strings.
         */
        Optional<String> vocabularyFile();

        /** Token models only: the id of the padding token, shown greyed in the web view. */
        Optional<Long> paddingTokenId();

        /**
         * How the explanation's relevance tensor is written: {@code float32}, or {@code float16} (half the bytes,
         * relative error at most 2^-11; version 1 readers cannot read it, docs/adr/0010-float16-relevance.md).
         */
        @WithDefault("float32")
        String relevanceEncoding();

        /** Which events also get perturbation curves in their batch flush ({@code faithfulness.*}). */
        Faithfulness faithfulness();

        /** How the model's attribution profiles are kept ({@code lrp.models.X.drift.*}, docs/drift.md). */
        Drift drift();
    }

    /**
     * Sampled faithfulness of one model: a share of the events, chosen by event id, also gets MoRF and LeRF region
     * perturbation curves on the explained class, summarised as ABPC in the explanation and in
     * {@code lrp_faithfulness_abpc}.
     */
    interface Faithfulness {
        /** The share of events measured, 0 to 1 (0: none). */
        @WithDefault("0.01")
        double sample();

        /** Perturbation steps after the unperturbed input. */
        @WithDefault("8")
        int steps();

        /** The regions perturbed together: 1 (each element), N (NxN cells) or RxC, over an image's last two axes. */
        @WithDefault("1")
        String region();

        /** What perturbed regions become: zero, blur, blur:SIGMA, pad:ID (token models) or @file.npy (one row). */
        @WithDefault("zero")
        String baseline();
    }

    /** Attribution drift of one model: its baseline and current windows, per input partition. */
    interface Drift {
        /** The baseline is the first this many live explanations, unless pinned. */
        @WithDefault("1000")
        int baselineEvents();

        /** The current window holds the most recent this many live explanations. */
        @WithDefault("1000")
        int windowEvents();

        /** The current window slides by {@code window-events / window-blocks} events. */
        @WithDefault("10")
        int windowBlocks();

        /** Image inputs: rows of the coarse grid. */
        @WithDefault("4")
        int gridRows();

        /** Image inputs: columns of the coarse grid. */
        @WithDefault("4")
        int gridColumns();

        /** Token inputs: vocabulary buckets per position ({@code id mod token-buckets}). */
        @WithDefault("16")
        int tokenBuckets();

        /** These settings as the drift package takes them. */
        default io.lrpsidecar.drift.DriftSettings settings() {
            return new io.lrpsidecar.drift.DriftSettings(baselineEvents(), windowEvents(), windowBlocks(),
                    gridRows(), gridColumns(), tokenBuckets());
        }
    }
}
