/* The log-state Lotka–Volterra right-hand sides of measures/coevolution/ode.py, compiled
 * (METHODS §8.2): the same formulas as its fused Python closures `_pp_sens_rhs` and
 * `_comp_sens_rhs` (and the plain state equations of models._PredatorPrey/_Competition), the
 * same guard (_Guard: the path leaves e^±40 of x0, overflows, or exceeds the budget of
 * right-hand-side evaluations), integrated by LSODA (LSODA.cpp, vendored; MIT) exactly at the
 * output times with tcrit = t[-1], as odeint does. Called through ctypes from
 * measures/coevolution/native.py. */

#include <Python.h>  // first, as Python asks (only for the module's init below)

#include <cmath>
#include <vector>

#include "LSODA.h"

namespace {

struct Problem {
    int model;       // 0 predator–prey, 1 competition
    int sens;        // 1: state and sensitivities z = (y1, y2, S1[m], S2[m])
    int m;           // sensitivity columns (len θ, + 2 when x0 is fitted)
    const double *p; // natural parameters
    double lo, hi;   // the guard's band for y
    long max_rhs;    // the guard's budget of evaluations
    long calls;
    int failed;
};

bool guard_stops(Problem *q, double y1, double y2) {
    q->calls += 1;
    if (q->failed || q->calls > q->max_rhs || !(q->lo < y1 && y1 < q->hi) ||
        !(q->lo < y2 && y2 < q->hi))
        q->failed = 1;
    return q->failed != 0;
}

void zero(double *dz, int n) {
    for (int i = 0; i < n; i++)
        dz[i] = 0.0;
}

/* Predator–prey: f1 = a1 − b1·e^{y2}, f2 = −a2 + b1·b2·e^{y1}; ∂f1/∂y1 = ∂f2/∂y2 = 0, so
 * dS1 = e·S2 + ∂f1/∂θ and dS2 = c·S1 + ∂f2/∂θ with e = −b1·e^{y2}, c = b1·b2·e^{y1}. */
void predator_prey(Problem *q, const double *z, double *dz) {
    const double a1 = q->p[0], b1 = q->p[1], a2 = q->p[2], b2 = q->p[3];
    const int m = q->m;
    const double e = -b1 * std::exp(z[1]);
    const double c = b1 * b2 * std::exp(z[0]);
    if (!std::isfinite(e) || !std::isfinite(c)) {
        q->failed = 1;
        zero(dz, q->sens ? 2 + 2 * m : 2);
        return;
    }
    dz[0] = a1 + e;
    dz[1] = -a2 + c;
    if (!q->sens)
        return;
    const double *S1 = z + 2, *S2 = z + 2 + m;
    double *dS1 = dz + 2, *dS2 = dz + 2 + m;
    for (int i = 0; i < m; i++) {
        dS1[i] = e * S2[i];
        dS2[i] = c * S1[i];
    }
    dS1[0] += a1;
    dS1[1] += e;
    dS2[1] += c;
    dS2[2] -= a2;
    dS2[3] += c;
}

/* Competition: w1 = x1 − s12·x2, w2 = x2 − s21·x1, f1 = r1(1 − w1/K1), f2 = r2(1 − w2/K2). */
void competition(Problem *q, const double *z, double *dz) {
    const double r1 = q->p[0], K1 = q->p[1], s12 = q->p[2];
    const double r2 = q->p[3], K2 = q->p[4], s21 = q->p[5];
    const int m = q->m;
    const double x1 = std::exp(z[0]), x2 = std::exp(z[1]);
    if (!std::isfinite(x1) || !std::isfinite(x2)) {
        q->failed = 1;
        zero(dz, q->sens ? 2 + 2 * m : 2);
        return;
    }
    const double w1 = x1 - s12 * x2, w2 = x2 - s21 * x1;
    const double f1 = r1 * (1 - w1 / K1), f2 = r2 * (1 - w2 / K2);
    dz[0] = f1;
    dz[1] = f2;
    if (!q->sens)
        return;
    const double a = -r1 * x1 / K1, b = r1 * s12 * x2 / K1;
    const double c = r2 * s21 * x1 / K2, d = -r2 * x2 / K2;
    const double g[6] = {f1, r1 * w1 / K1, r1 * x2 / K1, 0.0, 0.0, 0.0};
    const double h[6] = {0.0, 0.0, 0.0, f2, r2 * w2 / K2, r2 * x1 / K2};
    const double *S1 = z + 2, *S2 = z + 2 + m;
    double *dS1 = dz + 2, *dS2 = dz + 2 + m;
    for (int i = 0; i < m; i++) {
        dS1[i] = a * S1[i] + b * S2[i] + (i < 6 ? g[i] : 0.0);
        dS2[i] = c * S1[i] + d * S2[i] + (i < 6 ? h[i] : 0.0);
    }
}

void rhs(double /*t*/, double *z, double *dz, void *data) {
    Problem *q = static_cast<Problem *>(data);
    const int n = q->sens ? 2 + 2 * q->m : 2;
    if (guard_stops(q, z[0], z[1])) {
        zero(dz, n);
        return;
    }
    if (q->model == 0)
        predator_prey(q, z, dz);
    else
        competition(q, z, dz);
}

} // namespace

extern "C" {

/* Solve from z0 at t[0] to the times t[1..nt-1]; out (nt × neq, row-major) receives z.
 * Returns 0 on success, 1 when the guard rejected the trial θ, 2 when LSODA failed, 3 on
 * bad arguments. `calls` receives the number of right-hand-side evaluations. */
int cbec_lv_solve(int model, int sens, int m, const double *p, int neq, const double *z0,
                  int nt, const double *t, double *out, double rtol, double atol,
                  int max_steps, long max_rhs, double lo, double hi, long *calls) {
    if ((model != 0 && model != 1) || neq != (sens ? 2 + 2 * m : 2) || nt < 1 ||
        (model == 0 && sens && m < 4) || (model == 1 && sens && m < 6))
        return 3;
    for (int i = 1; i < nt; i++)
        if (!(t[i] > t[i - 1]))
            return 3;
    Problem q{model, sens, m, p, lo, hi, max_rhs, 0, 0};
    std::vector<double> y(z0, z0 + neq), yout(neq + 1);
    for (int j = 0; j < neq; j++)
        out[j] = z0[j];
    LSODA solver;
    double tt = t[0];
    int istate = 1;
    int status = 0;
    for (int i = 1; i < nt && status == 0; i++) {
        solver.lsoda_update_tcrit(rhs, neq, y, yout, &tt, t[i], t[nt - 1], &istate, &q, rtol,
                                  atol, max_steps);
        if (istate <= 0) {
            status = 2;
            break;
        }
        for (int j = 0; j < neq; j++) {
            y[j] = yout[j + 1];
            out[j + neq * i] = yout[j + 1];
        }
    }
    if (q.failed)
        status = 1;
    *calls = q.calls;
    return status;
}

} // extern "C"

/* An (empty) importable module, so that the built file is an ordinary extension module that
 * setuptools builds and installs; the solver is reached through ctypes (native.py), which
 * releases the GIL during the call. */
static struct PyModuleDef lv_module = {PyModuleDef_HEAD_INIT, "_lv",
                                       "Compiled LSODA co-evolution solver (see native.py).",
                                       -1, nullptr};

PyMODINIT_FUNC PyInit__lv(void) { return PyModule_Create(&lv_module); }
