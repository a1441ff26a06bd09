# Farrell radial DEA scores with lpSolve, standing in for Benchmarking's dea(..., FAST = TRUE)
# (which needs lpSolveAPI, not packaged for this machine). Used by benchmarking_dea_boot.R.
suppressMessages(library(lpSolve))

dea <- function(X, Y, RTS = "vrs", ORIENTATION = "in", XREF = NULL, YREF = NULL, FAST = TRUE) {
  if (is.null(XREF)) XREF <- X
  if (is.null(YREF)) YREF <- Y
  X <- unclass(X); Y <- unclass(Y); XREF <- unclass(XREF); YREF <- unclass(YREF)
  K <- nrow(X); Kr <- nrow(XREF); m <- ncol(X); s <- ncol(Y)
  eff <- numeric(K)
  for (o in 1:K) {
    # variables: theta, lambda_1..Kr
    if (ORIENTATION == "in") {
      A <- rbind(cbind(-X[o, ], t(XREF)), cbind(0, t(YREF)))
      rhs <- c(rep(0, m), Y[o, ])
      dir <- c(rep("<=", m), rep(">=", s))
      sense <- "min"
    } else {
      A <- rbind(cbind(0, t(XREF)), cbind(-Y[o, ], t(YREF)))
      rhs <- c(X[o, ], rep(0, s))
      dir <- c(rep("<=", m), rep(">=", s))
      sense <- "max"
    }
    if (RTS == "vrs") { A <- rbind(A, c(0, rep(1, Kr))); rhs <- c(rhs, 1); dir <- c(dir, "=") }
    if (RTS == "drs") { A <- rbind(A, c(0, rep(1, Kr))); rhs <- c(rhs, 1); dir <- c(dir, "<=") }
    if (RTS == "irs") { A <- rbind(A, c(0, rep(1, Kr))); rhs <- c(rhs, 1); dir <- c(dir, ">=") }
    r <- lp(sense, c(1, rep(0, Kr)), A, dir, rhs)
    # lpSolve's default scaling fails numerically on ~1 in 10 000 of these LPs: retry unscaled
    if (r$status != 0) r <- lp(sense, c(1, rep(0, Kr)), A, dir, rhs, scale = 0)
    eff[o] <- if (r$status == 0) r$solution[1] else NA
  }
  eff
}
