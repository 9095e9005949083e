// collapsekit: measuring distribution drift and model collapse. Umbrella header.
#pragma once

#include "core/config.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/nan.hpp"
#include "core/numeric.hpp"
#include "core/random.hpp"
#include "core/view.hpp"

#include "bootstrap.hpp"
