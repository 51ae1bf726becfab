package dev.chimera.cli;

import dev.chimera.estimate.EstimatorBench;
import dev.chimera.estimate.ResponseMatrix;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chimera estimator-bench}: which fitness estimator and how many items suit a user's benchmark. */
@Command(
        name = "estimator-bench",
        mixinStandardHelpOptions = true,
        description = "Leave-one-model-out error of accuracy estimators on a response matrix (models x items, 0/1).")
final class EstimatorBenchCommand implements Callable<Integer> {
    @Option(
            names = "--responses",
            required = true,
            paramLabel = "MATRIX.csv",
            description = "CSV with a 'model' column and one 0/1 column per item id")
    Path responses;

    @Option(
            names = "--n",
            split = ",",
            defaultValue = "10,20,50,100",
            description = "numbers of items (default ${DEFAULT-VALUE})")
    int[] ns;

    @Option(
            names = "--methods",
            split = ",",
            defaultValue = "random/mean,random/pirt,random/gpirt,anchor/weighted,anchor/gpirt,anchor-irt/gpirt",
            description =
                    "selection/estimator pairs; selections: random, stratified, anchor, anchor-irt; estimators: mean, "
                            + "weighted, irt, irt-model, pirt, gpirt, mpirt, gmpirt, gmpirt-auto (default ${DEFAULT-VALUE})")
    List<String> methods;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--folds", description = "cross-validation folds over models instead of leave-one-out (faster)")
    Integer folds;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ResponseMatrix m = ResponseMatrix.readCsv(responses);
        EstimatorBench.Options opt = EstimatorBench.Options.defaults();
        if (folds != null) {
            opt = opt.withFolds(folds);
        }
        EstimatorBench.Result r = EstimatorBench.run(m, ns, methods, seed, opt);
        System.out.println(json ? r.toJson() : r.toTable());
        return 0;
    }
}
