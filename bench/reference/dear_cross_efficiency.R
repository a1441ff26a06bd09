# Reference cross-efficiency matrices for tests/test_crosseff_dear_reference.py.
#
# Runs deaR's cross_efficiency() and model_multiplier() (Coll-Serrano, Bolos & Benitez, deaR,
# CRAN, GPL-3; lpSolve), sourced from the directory named by $DEAR_R (not vendored here), on
# the Charnes, Cooper & Rhodes (1981) Program Follow Through data.
#
#   DEAR_R=/path/to/deaR/R Rscript bench/reference/dear_cross_efficiency.R \
#       tests/fixtures/charnes1981/charnes1981.csv OUT_DIR
suppressMessages(library(lpSolve))
args <- commandArgs(trailingOnly = TRUE)
for (f in c("model_multiplier.R", "cross_efficiency.R")) source(file.path(Sys.getenv("DEAR_R"), f))
d <- read.csv(args[1], sep = ";")
dd <- structure(list(input = t(as.matrix(d[, paste0("x", 1:5)])),
                     output = t(as.matrix(d[, paste0("y", 1:3)])),
                     dmunames = as.character(d$firm)), class = "deadata")
colnames(dd$input) <- dd$dmunames; colnames(dd$output) <- dd$dmunames
put <- function(m, name) write.csv(unname(m), file.path(args[2], name), row.names = FALSE)
for (o in c("io", "oo")) {
  r <- cross_efficiency(dd, orientation = o, rts = "crs", selfapp = TRUE)
  put(r$Arbitrary$efficiency, sprintf("crs_%s_efficiency.csv", o))
  for (k in c("M2_agg", "M2_ben", "M3_agg", "M3_ben")) put(r[[k]]$cross_eff, sprintf("crs_%s_%s.csv", o, k))
  put(r$M3_agg$e, sprintf("crs_%s_M3_agg_e.csv", o))
  r <- cross_efficiency(dd, orientation = o, rts = "vrs", selfapp = TRUE, M2 = FALSE, M3 = FALSE)
  put(r$Arbitrary$efficiency, sprintf("vrs_%s_efficiency.csv", o))
  put(r$Arbitrary$cross_eff, sprintf("vrs_%s_arbitrary.csv", o))
  if (o == "io") {
    r <- cross_efficiency(dd, orientation = o, rts = "vrs", selfapp = TRUE, correction = TRUE,
                          M2 = FALSE, M3 = FALSE)
    put(r$Arbitrary$cross_eff, "vrs_io_lim_zhu.csv")
    put(r$Arbitrary$e, "vrs_io_lim_zhu_e.csv")
  }
  put(cbind(r$Arbitrary$multiplier_input, r$Arbitrary$multiplier_output, r$Arbitrary$multiplier_rts),
      sprintf("vrs_%s_multipliers.csv", o))
}
cat("deaR cross_efficiency references written to", args[2], "\n")
