/** log_softmax — torch.nn.LogSoftmax: x_i − log Σ_j exp(x_j) along one axis (see softmax.ts). */
import { makeSoftmax } from './softmax.js';

export const logSoftmax = makeSoftmax(true);
