package io.lrpsidecar.compiler;

import static io.lrpsidecar.tensor.Stabilizer.ZENNIT;
import static io.lrpsidecar.tensor.Unary.NEGATIVE;
import static io.lrpsidecar.tensor.Unary.POSITIVE;
import static io.lrpsidecar.tensor.Unary.SQUARE;

import io.lrpsidecar.engine.op.Ops;
import io.lrpsidecar.engine.rule.AlphaBetaRule;
import io.lrpsidecar.engine.rule.Bound;
import io.lrpsidecar.engine.rule.EpsilonRule;
import io.lrpsidecar.engine.rule.FlatRule;
import io.lrpsidecar.engine.rule.GammaRule;
import io.lrpsidecar.engine.rule.GradientRule;
import io.lrpsidecar.engine.rule.Rule;
import io.lrpsidecar.engine.rule.WSquareRule;
import io.lrpsidecar.engine.rule.ZBoxRule;
import io.lrpsidecar.engine.rule.ZPlusRule;
import io.lrpsidecar.graph.Attributes;
import io.lrpsidecar.graph.ModelLoadException;
import io.lrpsidecar.graph.Node;
import io.lrpsidecar.graph.Tensor;
import io.lrpsidecar.tensor.doubles.DoublePrimitives;
import java.util.List;
import java.util.Map;

/**
 * Emits the relevance of a Conv or Dense layer's input for each LRP rule, with the rule's modified weights computed
 * once as initializers, and with the algebra that keeps the number of layer passes at the arithmetic floor:
 * <ul>
 *   <li>epsilon reuses the forward output {@code z} and needs one transposed pass;</li>
 *   <li>z+ on non-negative inputs needs {@code W+ x} and one transposed pass;</li>
 *   <li>gamma on non-negative inputs needs only {@code W+ x} besides {@code z}:
 *       {@code zp = z + g (W+x + b+)}, {@code zn = z + g (z - b - W+x + b-)}, and two transposed passes
 *       {@code W^T (sp + (1+g) sn) + W+^T (g (sp - sn))};</li>
 *   <li>flat, w^2 and the bound terms of z^B do not depend on the input and are computed at compile time;
 *       z^B needs two transposed passes: {@code (x - H) W^T s - (L - H) W+^T s}.</li>
 * </ul>
 * Terms in {@code x-} are dropped where the input is known to be non-negative. Each formula is the one of the rule's
 * class in {@code io.lrpsidecar.engine.rule}.
 */
final class LinearRuleEmitter {
    private static final DoublePrimitives P = DoublePrimitives.INSTANCE;

    private final CompileContext context;

    LinearRuleEmitter(CompileContext context) {
        this.context = context;
    }

    /** The relevance of the layer input {@code x} given the relevance {@code r} at the output {@code z}. */
    String emit(Rule rule, Node node, String r) {
        GraphBuilder b = context.builder();
        LinearEmitter layer = context.linear(node);
        String x = node.input(0);
        String z = node.output();
        Tensor weight = context.constant(node.input(1));
        Tensor bias = context.constant(node.input(2));
        String hint = node.name();
        boolean nonNegative = context.view(node).isNonNegative(0);
        if (rule instanceof EpsilonRule epsilon) {
            String s = Stabilizer.divide(b, r, z, epsilon.epsilon(), hint + "_eps");
            return b.op("Mul", hint + "_R", x, layer.transposed(node.input(1), s, hint + "_WTs"));
        }
        if (rule instanceof GradientRule) {
            return layer.transposed(node.input(1), r, hint + "_grad");
        }
        if (rule instanceof ZPlusRule zPlus) {
            return signSplit(layer, node, r, P.unary(POSITIVE, weight), P.unary(NEGATIVE, weight),
                    P.unary(POSITIVE, bias), 1.0, 0.0, zPlus.stabilizer(), nonNegative);
        }
        if (rule instanceof AlphaBetaRule alphaBeta) {
            return signSplit(layer, node, r, P.unary(POSITIVE, weight), P.unary(NEGATIVE, weight),
                    P.unary(POSITIVE, bias), alphaBeta.alpha(), alphaBeta.beta(), alphaBeta.stabilizer(), nonNegative);
        }
        if (rule instanceof GammaRule gamma) {
            return nonNegative ? gammaNonNegative(layer, node, r, gamma)
                    : gammaGeneral(layer, node, r, gamma, weight, bias);
        }
        if (rule instanceof ZBoxRule zBox) {
            return zBox(layer, node, r, zBox, weight, bias);
        }
        if (rule instanceof FlatRule flat) {
            Tensor ones = P.onesLike(weight);
            Tensor count = referenceForward(node, onesRow(x), ones, P.zerosLike(bias));
            String s = b.op("Div", hint + "_flat_s", r, b.constant(hint + "_flat_n", ZENNIT.stabilize(P, count,
                    flat.stabilizer())));
            if (node.attributes().getInt("group", 1) != 1) {
                return layer.transposed(b.constant(hint + "_ones", ones), s, hint + "_flat_R");
            }
            return flatAcrossChannels(node, s, weight, hint);
        }
        if (rule instanceof WSquareRule wSquare) {
            Tensor squared = P.unary(SQUARE, weight);
            Tensor z2 = referenceForward(node, onesRow(x), squared, P.unary(SQUARE, bias));
            String s = b.op("Div", hint + "_w2_s", r, b.constant(hint + "_w2_z", ZENNIT.stabilize(P, z2,
                    wSquare.stabilizer())));
            return layer.transposed(b.constant(hint + "_w2", squared), s, hint + "_w2_R");
        }
        throw new ModelLoadException("rule " + rule.spec() + " cannot be compiled for node " + node.describe());
    }

    /**
     * The transposed all-ones layer gives every input channel the same value, so it is computed once on the sum of
     * {@code s} over the output channels and broadcast: {@code (1^T s)[c, i] = (1_{k}^T sum_m s_m)[i]}.
     */
    private String flatAcrossChannels(Node node, String s, Tensor weight, String hint) {
        GraphBuilder b = context.builder();
        String x = node.input(0);
        boolean conv = node.opType().equals("Conv");
        int channelAxis = conv ? 1 : context.shape(node.output()).length - 1;
        String summed = b.op("ReduceSum", hint + "_flat_sum", new Attributes(Map.of("keepdims", 1L)), s,
                b.longs(hint + "_flat_axis", channelAxis));
        String spread = summed;
        if (conv) {
            int[] singleShape = weight.shape().clone();
            singleShape[0] = 1;
            singleShape[1] = 1;
            int[] singleInput = context.shape(x).clone();
            singleInput[1] = 1;
            LinearEmitter single = new LinearEmitter(b, node, singleInput, singleShape);
            spread = single.transposed(b.constant(hint + "_ones1", Tensor.filled(singleShape, 1.0)), summed,
                    hint + "_flat_one");
        }
        return b.op("Expand", hint + "_flat_R", spread, b.op("Shape", hint + "_flat_shape", x));
    }

    /**
     * z+ (alpha = 1, beta = 0) and alpha-beta: positive part {@code (W+, b+)} on {@code x+} and {@code W-} on
     * {@code x-}, negative part mirrored.
     */
    private String signSplit(LinearEmitter layer, Node node, String r, Tensor wPos, Tensor wNeg, Tensor bPos,
            double alpha, double beta, double stabilizer, boolean nonNegative) {
        GraphBuilder b = context.builder();
        String hint = node.name();
        String x = node.input(0);
        String wp = b.constant(hint + "_Wpos", wPos);
        String wn = b.constant(hint + "_Wneg", wNeg);
        String bp = b.constant(hint + "_bpos", bPos);
        String bn = b.constant(hint + "_bneg", P.unary(NEGATIVE, context.constant(node.input(2))));
        String xPos = nonNegative ? x : b.op("Relu", hint + "_xpos", x);
        String xNeg = nonNegative ? null : b.op("Sub", hint + "_xneg", x, xPos);
        String positivePart = signedPart(layer, hint + "_pos", r, xPos, xNeg, wp, wn, bp, stabilizer);
        String result = alpha == 1.0 ? positivePart : b.op("Mul", hint + "_alpha", positivePart,
                b.scalar("alpha", alpha));
        if (beta != 0.0) {
            String negativePart = signedPart(layer, hint + "_neg", r, xPos, xNeg, wn, wp, bn, stabilizer);
            result = b.op("Sub", hint + "_ab", result, b.op("Mul", hint + "_beta", negativePart,
                    b.scalar("beta", beta)));
        }
        return result;
    }

    /** {@code x+ (Wa^T s) + x- (Wb^T s)} with {@code s = R / stab(f(x+; Wa, ba) + f(x-; Wb))}. */
    private String signedPart(LinearEmitter layer, String hint, String r, String xPos, String xNeg, String wa,
            String wb, String ba, double stabilizer) {
        GraphBuilder b = context.builder();
        String z = layer.forward(xPos, wa, ba, hint + "_z");
        if (xNeg != null) {
            z = b.op("Add", hint + "_z2", z, layer.forward(xNeg, wb, null, hint + "_zneg"));
        }
        String s = Stabilizer.divide(b, r, z, stabilizer, hint);
        String result = b.op("Mul", hint + "_Rp", xPos, layer.transposed(wa, s, hint + "_WaTs"));
        if (xNeg != null) {
            result = b.op("Add", hint + "_R", result,
                    b.op("Mul", hint + "_Rn", xNeg, layer.transposed(wb, s, hint + "_WbTs")));
        }
        return result;
    }

    private String gammaNonNegative(LinearEmitter layer, Node node, String r, GammaRule rule) {
        GraphBuilder b = context.builder();
        String hint = node.name() + "_gamma";
        Tensor weight = context.constant(node.input(1));
        Tensor bias = context.constant(node.input(2));
        double g = rule.gamma();
        String z = node.output();
        String x = node.input(0);
        String wPos = b.constant(hint + "_Wpos", P.unary(POSITIVE, weight));
        String p = layer.forward(x, wPos, null, hint + "_p");
        String zp = b.op("Add", hint + "_zp", z, b.op("Mul", hint + "_gp", b.scalar("gamma", g),
                b.op("Add", hint + "_pb", p,
                        b.constant(hint + "_bpos", broadcastable(node, P.unary(POSITIVE, bias))))));
        String wxMinusP = b.op("Sub", hint + "_wxp", b.op("Sub", hint + "_wx", z,
                b.constant(hint + "_b", broadcastable(node, bias))), p);
        String zn = b.op("Add", hint + "_zn", z, b.op("Mul", hint + "_gn", b.scalar("gamma", g),
                b.op("Add", hint + "_nb", wxMinusP,
                        b.constant(hint + "_bneg", broadcastable(node, P.unary(NEGATIVE, bias))))));
        String sp = masked(r, zp, z, "Greater", rule.stabilizer(), hint + "_sp");
        String sn = masked(r, zn, z, "Less", rule.stabilizer(), hint + "_sn");
        String first = layer.transposed(node.input(1), b.op("Add", hint + "_s1", sp,
                b.op("Mul", hint + "_sn1", sn, b.scalar("one_plus_gamma", 1 + g))), hint + "_WTs");
        String second = layer.transposed(wPos, b.op("Mul", hint + "_s2", b.scalar("gamma", g),
                b.op("Sub", hint + "_spn", sp, sn)), hint + "_WposTs");
        return b.op("Mul", hint + "_R", x, b.op("Add", hint + "_c", first, second));
    }

    private String gammaGeneral(LinearEmitter layer, Node node, String r, GammaRule rule, Tensor weight,
            Tensor bias) {
        GraphBuilder b = context.builder();
        String hint = node.name() + "_gamma";
        double g = rule.gamma();
        String x = node.input(0);
        String wp = b.constant(hint + "_Wp", P.add(weight, P.mul(P.unary(POSITIVE, weight), P.scalar(g))));
        String wn = b.constant(hint + "_Wn", P.add(weight, P.mul(P.unary(NEGATIVE, weight), P.scalar(g))));
        String bp = b.constant(hint + "_bp", P.add(bias, P.mul(P.unary(POSITIVE, bias), P.scalar(g))));
        String bn = b.constant(hint + "_bn", P.add(bias, P.mul(P.unary(NEGATIVE, bias), P.scalar(g))));
        String xPos = b.op("Relu", hint + "_xpos", x);
        String xNeg = b.op("Sub", hint + "_xneg", x, xPos);
        String zp = b.op("Add", hint + "_zp", layer.forward(xPos, wp, bp, hint + "_zp1"),
                layer.forward(xNeg, wn, null, hint + "_zp2"));
        String zn = b.op("Add", hint + "_zn", layer.forward(xPos, wn, bn, hint + "_zn1"),
                layer.forward(xNeg, wp, null, hint + "_zn2"));
        String sp = masked(r, zp, node.output(), "Greater", rule.stabilizer(), hint + "_sp");
        String sn = masked(r, zn, node.output(), "Less", rule.stabilizer(), hint + "_sn");
        String positiveInputs = b.op("Add", hint + "_cp", layer.transposed(wp, sp, hint + "_WpTsp"),
                layer.transposed(wn, sn, hint + "_WnTsn"));
        String negativeInputs = b.op("Add", hint + "_cn", layer.transposed(wn, sp, hint + "_WnTsp"),
                layer.transposed(wp, sn, hint + "_WpTsn"));
        return b.op("Add", hint + "_R", b.op("Mul", hint + "_Rp", xPos, positiveInputs),
                b.op("Mul", hint + "_Rn", xNeg, negativeInputs));
    }

    /** {@code [o > 0] R / stab(z)} (or {@code o < 0}). */
    private String masked(String r, String z, String original, String comparison, double stabilizer, String hint) {
        GraphBuilder b = context.builder();
        String selected = b.op(comparison, hint + "_mask", original, b.scalar("zero", 0));
        return b.op("Where", hint, selected, Stabilizer.divide(b, r, z, stabilizer, hint),
                b.scalar("zero", 0));
    }

    private String zBox(LinearEmitter layer, Node node, String r, ZBoxRule rule, Tensor weight, Tensor bias) {
        GraphBuilder b = context.builder();
        String hint = node.name() + "_zbox";
        String x = node.input(0);
        int[] rowShape = context.shape(x);
        Tensor low = batchIndependent(rule.low(), rowShape, node);
        Tensor high = batchIndependent(rule.high(), rowShape, node);
        Tensor boundTerms = P.add(referenceForward(node, low, P.unary(POSITIVE, weight), P.unary(POSITIVE, bias)),
                referenceForward(node, high, P.unary(NEGATIVE, weight), P.unary(NEGATIVE, bias)));
        String zb = b.op("Sub", hint + "_z", node.output(), b.constant(hint + "_bounds", boundTerms));
        String s = Stabilizer.divide(b, r, zb, rule.stabilizer(), hint);
        String first = b.op("Mul", hint + "_R1", b.op("Sub", hint + "_xh", x, b.constant(hint + "_high", high)),
                layer.transposed(node.input(1), s, hint + "_WTs"));
        String second = b.op("Mul", hint + "_R2", b.constant(hint + "_lh", P.sub(low, high)),
                layer.transposed(b.constant(hint + "_Wpos", P.unary(POSITIVE, weight)), s, hint + "_WposTs"));
        return b.op("Sub", hint + "_R", first, second);
    }

    /** A per-output-channel bias shaped to broadcast against the layer output ({@code [1, M, 1, 1]} for a Conv). */
    private Tensor broadcastable(Node node, Tensor bias) {
        if (!node.opType().equals("Conv")) {
            return bias;
        }
        int[] shape = new int[context.shape(node.output()).length];
        java.util.Arrays.fill(shape, 1);
        shape[1] = bias.size();
        return bias.reshape(shape);
    }

    private static Tensor batchIndependent(Bound bound, int[] rowShape, Node node) {
        Tensor values = bound.values();
        if (values.rank() == rowShape.length && values.dim(0) > 1) {
            throw new ModelLoadException("node " + node.describe() + ": zbox bound " + bound.spec()
                    + " gives one row per batch element; the compiled explainer needs a scalar or one row of bounds");
        }
        return bound.over(P, Tensor.zeros(rowShape));
    }

    /** The layer applied in double precision to one row, for terms that do not depend on the input. */
    private Tensor referenceForward(Node node, Tensor x, Tensor weight, Tensor bias) {
        return Ops.of(node).forward(P, context.view(node), List.of(x, weight, bias)).get(0);
    }

    private Tensor onesRow(String x) {
        return Tensor.filled(context.shape(x), 1.0);
    }
}
