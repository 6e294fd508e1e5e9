package io.lrpsidecar.app.api;

import io.lrpsidecar.engine.composite.CompositeParser;
import io.lrpsidecar.engine.rule.CompositeSpecException;
import io.lrpsidecar.events.v1.Explanation;
import io.lrpsidecar.stream.CompositeHash;
import io.lrpsidecar.stream.ModelRegistry;
import io.lrpsidecar.stream.RecentExplanations;
import io.lrpsidecar.stream.ServedModel;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the composite a request names, wherever one is accepted ({@code ?composite=} of {@code GET
 * /explanations/{id}}, of its heatmap and of {@code POST /explain}, and a replay's {@code composite}), in any of three
 * forms: a built-in name ({@code epsilon-plus-flat}), a spec ({@code epsilon(1e-3)},
 * {@code first=flat;dense=epsilon}), or the 16-hex {@code compositeHash} an explanation carries. A name or spec is
 * read by the model it concerns, exactly as an event's override is (a bare {@code epsilon-gamma-box} takes the
 * model's data range), so every form of one composite selects the same explanations and explains the same way.
 */
final class CompositeResolver {
    /** The error reason of a composite a request names that cannot be used. */
    static final String BAD_COMPOSITE = "bad-composite";
    private final ModelRegistry models;

    CompositeResolver(ModelRegistry models) {
        this.models = models;
    }

    /**
     * The explanations among {@code kept} made with the composite {@code value} names, in the order given: those
     * whose canonical spec (or hash) it names, else, for a bare built-in name, those of that built-in with any
     * parameters.
     *
     * @throws ApiException 400 when the value is neither a hash nor a composite any of their models reads
     */
    List<RecentExplanations.Stored> select(String value, List<RecentExplanations.Stored> kept) {
        String wanted = value.trim();
        if (CompositeHash.isHash(wanted)) {
            return kept.stream().filter(stored -> stored.explanation().getCompositeHash().equals(wanted)).toList();
        }
        List<RecentExplanations.Stored> exact = new ArrayList<>();
        Optional<String> refusal = Optional.empty();
        for (RecentExplanations.Stored stored : kept) {
            Explanation explanation = stored.explanation();
            if (explanation.getComposite().equals(wanted)) {
                exact.add(stored);
                continue;
            }
            Optional<ServedModel> model = models.find(explanation.getModelName(), explanation.getModelVersion());
            if (model.isPresent()) {
                try {
                    if (CompositeHash.of(model.get().canonicalSpec(wanted)).equals(explanation.getCompositeHash())) {
                        exact.add(stored);
                    }
                } catch (IllegalArgumentException e) {
                    refusal = Optional.of(e.getMessage());
                }
            }
        }
        if (!exact.isEmpty()) {
            return exact;
        }
        if (CompositeParser.BUILT_INS.contains(wanted)) {
            return kept.stream().filter(stored -> builtInOf(stored.explanation().getComposite()).equals(wanted))
                    .toList();
        }
        refusal.ifPresent(message -> {
            throw refused(message);
        });
        return List.of();
    }

    /**
     * The composite an event of {@code model} should carry for {@code value}: a name or spec as given (the model
     * checks it when it explains), a hash as the spec it is the hash of, among the composites the model knows (its
     * default, the built-ins, its allow-list, and the overrides compiled now); null stays null (the default).
     *
     * @throws CompositeSpecException for a hash of no composite the model knows
     */
    String specFor(ServedModel model, String value) {
        if (value == null || !CompositeHash.isHash(value.trim())) {
            return value;
        }
        String hash = value.trim();
        Set<String> candidates = new LinkedHashSet<>(model.knownSpecs());
        List<String> names = new ArrayList<>(CompositeParser.BUILT_INS);
        names.addAll(model.settings().overrides().allowed());
        for (String name : names) {
            try {
                candidates.add(model.composite(name).spec());
            } catch (IllegalArgumentException e) {
                // a built-in this model cannot use (needs a data range, or is not allowed) names no candidate
            }
        }
        return candidates.stream().filter(spec -> CompositeHash.of(spec).equals(hash)).findFirst().orElseThrow(() ->
                new CompositeSpecException("expected composite hash '" + hash + "' to be the hash of a composite "
                        + "model " + model.name() + ":" + model.version() + " knows (its default, a built-in, an "
                        + "allowed one or one it explained recently), found none; give the composite's name or spec "
                        + "instead"));
    }

    /**
     * Why {@code model} cannot explain with the composite {@code value} names, in the words an event with that
     * override is refused with; empty when it can.
     */
    Optional<String> refusal(ServedModel model, String value) {
        try {
            model.composite(specFor(model, value));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The 400 for a composite that cannot be used: the message {@code POST /explain} gives for an event with that
     * composite ({@code bad-composite: ...}), whichever endpoint was asked.
     */
    static ApiException refused(String message) {
        return new ApiException(Response.Status.BAD_REQUEST, BAD_COMPOSITE, BAD_COMPOSITE + ": " + message);
    }

    private static String builtInOf(String spec) {
        int parameters = spec.indexOf('(');
        return parameters < 0 ? spec : spec.substring(0, parameters);
    }
}
