// Tail mass, retention and coverage: measuring how the tails of a distribution vanish.
//
// Continuous samples (reference R vs generated G): tail mass and retention beyond R's
// quantiles, retention curves over many alphas, extreme-quantile and expected-shortfall
// ratios, the Hill tail index. Discrete counts: support coverage, rare-category retention,
// extinct categories, Good–Turing missing mass and Chao1. docs/tail.md gives every formula.
#pragma once

#include "tail/continuous.hpp"
#include "tail/discrete.hpp"
#include "tail/extremes.hpp"
#include "tail/hill.hpp"
#include "tail/quantile.hpp"
