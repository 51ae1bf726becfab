package dev.chimera.eval;

import dev.chimera.model.CausalLM;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a task's items through a {@link LanguageModel}.
 *
 * <p>Multiple choice follows lm-eval-harness 0.4 ({@code api/model.py _encode_pair}, {@code api/task.py
 * process_results}): context = few-shot examples + prompt, continuation = the {@code continuation} template with
 * the choice; trailing whitespace of the context moves to the front of the continuation; the context is encoded
 * alone and context+continuation as a whole (both with the tokenizer's default special tokens), and the
 * continuation tokens are the whole encoding past the context's length. {@code pred} = argmax of the summed
 * log-likelihoods; {@code pred_norm} = argmax of log-likelihood / length of the choice string in characters
 * (Unicode code points, Python's {@code len(choice)}; the choice text without the template's delimiter), which is
 * lm-eval's {@code acc_norm} ({@code acc_bytes} would divide by UTF-8 bytes). Ties go to the first choice (numpy
 * argmax).
 *
 * <p>Generation: prompt = few-shot examples + prompt, encoded with default special tokens; greedy
 * {@link LanguageModel#generate} with the EOS id as stop token; decoded without special tokens, cut before the
 * first stop string; the last number ({@link NumberExtractor}) must equal the answer, and when the task has a
 * language the output must pass the {@link LanguageCheck}.
 */
public final class TaskRunner {
    private final LanguageModel model;
    private final TokenCodec codec;
    private final LanguageCheck languageCheck;

    /** @param languageCheck may be null only for tasks without a language */
    public TaskRunner(LanguageModel model, TokenCodec codec, LanguageCheck languageCheck) {
        this.model = model;
        this.codec = codec;
        this.languageCheck = languageCheck;
    }

    /**
     * Scores a model on a task by the task's own rules (its metric, few-shot items and language check): the one way
     * Chimera evaluates a model, used by {@code chimera eval}, the extract stage, the engine's evaluators, the demo
     * and the zoo.
     *
     * @param onCall run after every model call (progress); may be a no-op
     */
    public static TaskResult score(
            CausalLM lm, TokenCodec codec, Task task, List<Item> items, List<Item> fewshot, Runnable onCall) {
        return new TaskRunner(new CausalLMAdapter(lm, onCall), codec, LanguageCheck.forTask(task))
                .run(task, items, fewshot);
    }

    /** {@link #score} on all of the task's items with its few-shot items. */
    public static TaskResult score(CausalLM lm, Tokenizer tokenizer, Task task) {
        return score(
                lm, TokenCodec.of(tokenizer), task, TaskLoader.items(task), TaskLoader.fewshotItems(task), () -> {});
    }

    /** Loads the task's data and few-shot items and runs them. */
    public TaskResult run(Task task) {
        return run(task, TaskLoader.items(task), TaskLoader.fewshotItems(task));
    }

    public TaskResult run(Task task, List<Item> items, List<Item> fewshot) {
        if (items.isEmpty()) {
            throw new EvalException("task " + task.name() + " has no items");
        }
        String prefix = fewshotPrefix(task, fewshot);
        return switch (task.type()) {
            case MULTIPLE_CHOICE -> runChoices(task, items, prefix);
            case LOGLIKELIHOOD -> runLoglikelihood(task, items);
            case GENERATION ->
                task.harness() != null ? runHarnessGeneration(task, items) : runGeneration(task, items, prefix);
        };
    }

    static String fewshotPrefix(Task task, List<Item> fewshot) {
        StringBuilder b = new StringBuilder();
        for (Item item : fewshot) {
            b.append(task.promptFor(item.question()));
            if (item instanceof Item.Choice c) {
                b.append(task.continuation().replace("{choice}", c.choices().get(c.answer())));
            } else if (item instanceof Item.Generation g) {
                b.append(task.continuation().replace("{answer}", g.target()));
            }
            b.append(task.fewshotSeparator());
        }
        return b.toString();
    }

    private TaskResult runChoices(Task task, List<Item> items, String prefix) {
        List<ItemResult> results = new ArrayList<>();
        int acc = 0;
        int accNorm = 0;
        for (Item item : items) {
            if (!(item instanceof Item.Choice c)) {
                throw new EvalException("item " + item.id() + " of task " + task.name() + " is not multiple choice");
            }
            List<LanguageModel.LogLikelihood> lls = logLikelihoods(task, c, prefix);
            double[] ll = new double[lls.size()];
            double[] norm = new double[lls.size()];
            for (int i = 0; i < ll.length; i++) {
                ll[i] = lls.get(i).logLikelihood();
                String choice = c.choices().get(i);
                norm[i] = ll[i] / choice.codePointCount(0, choice.length());
            }
            int pred = argmax(ll);
            int predNorm = argmax(norm);
            boolean okAcc = pred == c.answer();
            boolean okNorm = predNorm == c.answer();
            acc += okAcc ? 1 : 0;
            accNorm += okNorm ? 1 : 0;
            String primary = task.harness() != null
                    ? task.harness().spec(c.id()).metrics().get(0).name()
                    : task.metric();
            boolean correct = "acc_norm".equals(primary) ? okNorm : okAcc;
            results.add(ItemResult.choice(c.id(), correct, ll, pred, predNorm, c.answer()));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        String suffix = task.harness() != null
                ? "," + task.harness().specs().get(0).filters().get(0).name()
                : "";
        metrics.put("acc" + suffix, (double) acc / items.size());
        metrics.put("acc_norm" + suffix, (double) accNorm / items.size());
        double score = task.harness() != null
                ? results.stream().filter(ItemResult::correct).count() / (double) items.size()
                : metrics.get(task.metric());
        return new TaskResult(task.name(), task.metric(), score, metrics, results);
    }

    /** Log-likelihoods of an item's continuations after its context (lm-eval's loglikelihood requests). */
    private List<LanguageModel.LogLikelihood> logLikelihoods(Task task, Item.Choice c, String prefix) {
        String context = prefix + task.promptFor(c.question());
        String trimmed = trimEnd(context, c.id());
        String moved = context.substring(trimmed.length());
        int[] ctx = codec.encodeContext(trimmed); // the same for every choice: encode once
        List<int[]> contexts = new ArrayList<>();
        List<int[]> continuations = new ArrayList<>();
        for (String choice : c.choices()) {
            int[] cont = continuationIds(ctx, trimmed + moved + task.continuationFor(c, choice));
            if (cont.length == 0) {
                throw new EvalException("item " + c.id() + ": choice '" + choice + "' encodes to no tokens");
            }
            contexts.add(ctx);
            continuations.add(cont);
        }
        List<LanguageModel.LogLikelihood> lls = model.logLikelihoods(contexts, continuations);
        if (lls.size() != c.choices().size()) {
            throw new EvalException("model returned " + lls.size() + " log-likelihoods for "
                    + c.choices().size() + " choices of item " + c.id());
        }
        return lls;
    }

    /** lm-eval's loglikelihood output type: acc (every continuation token greedy) and perplexity. */
    private TaskResult runLoglikelihood(Task task, List<Item> items) {
        List<ItemResult> results = new ArrayList<>();
        double sum = 0;
        int greedy = 0;
        for (Item item : items) {
            if (!(item instanceof Item.Choice c) || c.choices().size() != 1) {
                throw new EvalException(
                        "item " + item.id() + " of task " + task.name() + " is not a loglikelihood item");
            }
            LanguageModel.LogLikelihood ll = logLikelihoods(task, c, "").get(0);
            sum += ll.logLikelihood();
            greedy += ll.greedy() ? 1 : 0;
            results.add(ItemResult.choice(c.id(), ll.greedy(), new double[] {ll.logLikelihood()}, 0, 0, 0));
        }
        String filter = "," + task.harness().specs().get(0).filters().get(0).name();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("acc" + filter, greedy / (double) items.size());
        metrics.put("perplexity" + filter, Math.exp(-sum / items.size()));
        return new TaskResult(task.name(), task.metric(), greedy / (double) items.size(), metrics, results);
    }

    /**
     * lm-eval's generate_until: greedy decoding to max_gen_toks, the text cut at the first stop string, then every
     * filter pipeline and every metric; the item is right by the first metric under the first pipeline.
     */
    private TaskResult runHarnessGeneration(Task task, List<Item> items) {
        HarnessTask h = task.harness();
        Set<Integer> stopIds = codec.eosId().map(Set::of).orElse(Set.of());
        Map<HarnessTask.Spec, List<Item.Text>> bySpec = new LinkedHashMap<>();
        for (Item item : items) {
            if (!(item instanceof Item.Text t)) {
                throw new EvalException("item " + item.id() + " of task " + task.name() + " is not a generation item");
            }
            bySpec.computeIfAbsent(h.spec(t.id()), s -> new ArrayList<>()).add(t);
        }
        Map<String, ItemResult> byId = new LinkedHashMap<>();
        Map<String, double[]> sums = new LinkedHashMap<>(); // key -> {sum, count}
        for (Map.Entry<HarnessTask.Spec, List<Item.Text>> e : bySpec.entrySet()) {
            HarnessTask.Spec spec = e.getKey();
            List<int[]> prompts = new ArrayList<>();
            for (Item.Text t : e.getValue()) {
                prompts.add(codec.encodeContext(t.question()));
            }
            List<int[]> outs = model.generate(prompts, spec.maxGenToks(), stopIds);
            for (int k = 0; k < outs.size(); k++) {
                Item.Text t = e.getValue().get(k);
                String text = cutAtStop(codec.decode(withoutStop(outs.get(k), stopIds)), spec.until());
                String first = null;
                boolean correct = false;
                for (HarnessTask.Pipeline p : spec.filters()) {
                    String filtered = HarnessTask.filter(p, text);
                    first = first == null ? filtered : first;
                    for (HarnessTask.Metric m : spec.metrics()) {
                        boolean ok = HarnessTask.exactMatch(m, filtered, t.target());
                        if (p == spec.filters().get(0) && m == spec.metrics().get(0)) {
                            correct = ok;
                        }
                        double[] s = sums.computeIfAbsent(m.name() + "," + p.name(), x -> new double[2]);
                        s[0] += ok ? 1 : 0;
                        s[1]++;
                    }
                }
                byId.put(t.id(), ItemResult.text(t.id(), correct, text, first, t.target()));
            }
        }
        List<ItemResult> results = new ArrayList<>();
        for (Item item : items) {
            results.add(byId.get(item.id()));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        sums.forEach((k, s) -> metrics.put(k, s[0] / s[1]));
        double score = results.stream().filter(ItemResult::correct).count() / (double) items.size();
        return new TaskResult(task.name(), task.metric(), score, metrics, results);
    }

    /**
     * lm-eval's causal {@code _encode_pair}, first half: the context without trailing whitespace (which moves to the
     * front of the continuation); never empty.
     */
    private static String trimEnd(String context, String itemId) {
        int end = context.length();
        while (end > 0 && Character.isWhitespace(context.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            throw new EvalException("item " + itemId + ": empty context");
        }
        return context.substring(0, end);
    }

    /** The encoding of context+continuation past the (already encoded) context's length. */
    private int[] continuationIds(int[] ctx, String whole) {
        int[] ids = codec.encodeContext(whole);
        return Arrays.copyOfRange(ids, Math.min(ctx.length, ids.length), ids.length);
    }

    private TaskResult runGeneration(Task task, List<Item> items, String prefix) {
        if (task.language() != null) {
            if (languageCheck == null) {
                throw new EvalException("task " + task.name() + " has language " + task.language()
                        + " but the runner has no language check");
            }
            languageCheck.requireSupported(task.language());
        }
        Set<Integer> stopIds = codec.eosId().map(Set::of).orElse(Set.of());
        List<ItemResult> results = new ArrayList<>();
        int correct = 0;
        int numbers = 0;
        int inLanguage = 0;
        List<Item.Generation> gens = new ArrayList<>(items.size());
        List<int[]> prompts = new ArrayList<>(items.size());
        for (Item item : items) {
            if (!(item instanceof Item.Generation g)) {
                throw new EvalException("item " + item.id() + " of task " + task.name() + " is not a generation item");
            }
            gens.add(g);
            prompts.add(codec.encodeContext(prefix + task.promptFor(g.question())));
        }
        List<int[]> outs = model.generate(prompts, task.maxNewTokens(), stopIds);
        for (int k = 0; k < gens.size(); k++) {
            Item.Generation g = gens.get(k);
            int[] out = outs.get(k);
            String text = cutAtStop(codec.decode(out), task.stop());
            BigDecimal extracted = NumberExtractor.last(text).orElse(null);
            boolean numberOk = NumberExtractor.sameNumber(extracted, g.answer());
            String lang = null;
            boolean checked = false;
            boolean langOk = true;
            if (task.language() != null) {
                LanguageCheck.Result r = languageCheck.check(text, task.language());
                lang = r.detected();
                checked = r.checked();
                langOk = r.matches();
            }
            boolean ok = numberOk && langOk;
            correct += ok ? 1 : 0;
            numbers += numberOk ? 1 : 0;
            inLanguage += langOk ? 1 : 0;
            results.add(ItemResult.generation(g.id(), ok, text, extracted, g.answer(), numberOk, lang, checked));
        }
        double n = items.size();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("exact_match", correct / n);
        if (task.language() != null) {
            metrics.put("exact_match_any_language", numbers / n);
            metrics.put("language_rate", inLanguage / n);
        }
        return new TaskResult(task.name(), task.metric(), correct / n, metrics, results);
    }

    /**
     * The generated ids without the end-of-sequence token that stopped them: transformers' decode skips the eos token
     * named in tokenizer_config.json even where tokenizer.json does not mark it special.
     */
    static int[] withoutStop(int[] out, Set<Integer> stopIds) {
        return out.length > 0 && stopIds.contains(out[out.length - 1]) ? Arrays.copyOf(out, out.length - 1) : out;
    }

    /** The text before the earliest occurrence of any stop string. */
    static String cutAtStop(String text, List<String> stops) {
        int cut = text.length();
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return text.substring(0, cut);
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
