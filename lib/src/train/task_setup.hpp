// SPDX-License-Identifier: Apache-2.0
// A training run's set-up (taskArchitecture and describeValidation are public, in
// aekit/trainer.hpp): its options checked, and the colorize head it trains.
#pragma once
#include "aekit/trainer.hpp"
#include "tasks/codec.hpp"

namespace aekit::training {

// Every option in range before any work (a typo must not end in a oneDNN error or a wrapped
// value); throws Error(InvalidArgument) naming the option.
void checkOptions(const TrainOptions& o);

// Colorize: classification over the in-gamut ab bins, or regression of ab; other tasks: none.
tasks::ColorizeHead colorizeHead(const TrainOptions& o);

}  // namespace aekit::training
