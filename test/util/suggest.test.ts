import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from '../../src/util/suggest.js';
import { layers } from '../../src/layers/index.js';

describe('did you mean', () => {
    it('counts a transposition as one edit', () => {
        expect(editDistance('kernle', 'kernel')).toBe(1);
        expect(editDistance('conv2d', 'conv2d')).toBe(0);
    });
    it('suggests only the closest layers', () => {
        expect(suggest('batchnorm2d', layers.keys())).toEqual(['batch_norm2d']);
        expect(suggest('Conv2D', layers.keys())).toEqual(['conv2d']);
        expect(suggest('conv', layers.keys())).toEqual(['conv1d', 'conv2d', 'conv3d']);
    });
    it('says nothing when nothing is close', () => {
        expect(didYouMean('frobnicate', layers.keys())).toBe('');
        expect(didYouMean('relu7', layers.keys())).toBe(" — did you mean 'relu' or 'relu6'?");
    });
    it('uses the prefix rule only for names of 3 characters or more', () => {
        expect(suggest('B', layers.keys())).toEqual([]);
        expect(didYouMean('B', layers.keys())).toBe('');
        expect(suggest('bat', ['batch_norm1d', 'batch_norm2d'])).toEqual(['batch_norm1d', 'batch_norm2d']);
    });
});
