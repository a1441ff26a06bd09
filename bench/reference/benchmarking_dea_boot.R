# Reference numbers for cbec's Simar–Wilson bootstrap (tests/test_dea_bootstrap_reference.py).
#
# Runs R Benchmarking's own dea.boot() and dea.sample() (Bogetoft & Otto, Benchmarking 0.27,
# R/dea.boot.R, CRAN, GPL >= 2), sourced unmodified from the file named by $DEA_BOOT_R (the
# package is not vendored here). Benchmarking's dea() needs lpSolveAPI, which this machine
# cannot install, so dea() below is the Farrell radial LP written with lpSolve::lp (Debian
# r-cran-lpsolve, in lpsolve_dea.R); dea.boot calls it with FAST=TRUE and uses only the score
# vector. The bandwidth is dea.boot's own (printed with LP=TRUE, 7 significant digits).
#
#   DEA_BOOT_R=/path/to/Benchmarking/R/dea.boot.R Rscript bench/reference/benchmarking_dea_boot.R \
#       tests/fixtures/charnes1981/charnes1981.csv NREP SEED OUT_PREFIX
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))),
                 "lpsolve_dea.R"))
source(Sys.getenv("DEA_BOOT_R"))
d <- read.csv(args[1], sep = ";")
nrep <- as.integer(args[2]); seed <- as.integer(args[3])
X <- as.matrix(d[, c("x1", "x2", "x3", "x4", "x5")]); oldClass(X) <- "matrix"
Y <- as.matrix(d[, c("y1", "y2", "y3")]); oldClass(Y) <- "matrix"
for (case in list(c("vrs", "in"), c("vrs", "out"), c("crs", "in"))) {
  set.seed(seed)
  b <- dea.boot(X, Y, NREP = nrep, RTS = case[1], ORIENTATION = case[2], alpha = 0.05)
  sdb <- apply(b$boot, 1, sd)
  out <- data.frame(firm = d$firm, eff = b$eff, eff_bc = b$eff.bc, bias = b$bias,
                    ci_low = b$conf.int[, 1], ci_high = b$conf.int[, 2], var = b$var,
                    sd_boot = sdb)
  set.seed(seed)
  msg <- capture.output(dea.boot(X, Y, NREP = 1, RTS = case[1], ORIENTATION = case[2], LP = TRUE))
  h <- sub("Bandwidth = ", "", grep("^Bandwidth", msg, value = TRUE))
  cat(sprintf("bandwidth %s %s %s\n", case[1], case[2], h))
  f <- sprintf("%s_%s_%s.csv", args[4], case[1], case[2])
  write.csv(out, f, row.names = FALSE)
  cat(f, ": NREP", nrep, "seed", seed, "\n")
}
