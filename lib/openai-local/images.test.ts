import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { describeEdit } from './analysis';
import { editImage, effectForPrompt, nearestSize } from './images';

function picture(width: number, height: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#d03020"/><stop offset="1" stop-color="#2040c0"/></linearGradient></defs>
    <rect width="${width}" height="${height}" fill="url(#g)"/>
    <circle cx="${width * 0.25}" cy="${height * 0.5}" r="${height * 0.3}" fill="#20b040"/>
    <rect x="${width * 0.6}" y="${height * 0.1}" width="${width * 0.3}" height="${height * 0.25}" fill="#f0d020"/>
  </svg>`;
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();
}

describe('edit effects', () => {
  it('picks the effect from the prompt words', () => {
    expect(effectForPrompt('Convert to black-and-white')).toBe('greyscale');
    expect(effectForPrompt('Flip it upside down')).toBe('flip-vertical');
    expect(effectForPrompt('Mirror the scene')).toBe('flip-horizontal');
    expect(effectForPrompt('Make the sky purple')).toBe('hue');
    expect(effectForPrompt('Turn day into night')).toBe('darken');
    expect(effectForPrompt('Add a hat')).toBe('default');
  });

  it('keeps to the nearest supported size for auto', () => {
    expect(nearestSize(1000, 1000)).toBe('1024x1024');
    expect(nearestSize(1920, 1080)).toBe('1536x1024');
    expect(nearestSize(600, 900)).toBe('1024x1536');
  });

  // Each effect the image endpoint applies is what the chat endpoint reads back from the pixels.
  it.each([
    ['Make it black and white', 'Convert the image to black and white.'],
    ['Flip it', 'Flip the image horizontally.'],
    ['Turn it upside down', 'Flip the image upside down.'],
    ['Invert the picture', 'Invert the colors of the image.'],
    ['Blur the background', 'Blur the whole image.'],
    ['Make it look vintage', 'Give the image a warm sepia tone.'],
    ['Make the sky green', 'Shift the colors of the image toward blue.'],
    ['Make it sunny', 'Make the image brighter.'],
    ['Make it night', 'Make the image darker.'],
    ['Add a hat', 'Adjust the colors and tone of the image.'],
  ])('%s → %s', async (prompt, instruction) => {
    const source = await picture(1200, 800);
    const edited = await editImage(source, prompt, 1536, 1024, { format: 'png', compression: 100 });
    expect(await sharp(edited).metadata()).toMatchObject({ width: 1536, height: 1024, format: 'png' });
    expect(await describeEdit(source, edited)).toBe(instruction);
  });
});

describe('repeated edits', () => {
  it('answers the same request from the last edits, and a different one afresh', async () => {
    const source = await picture(300, 200);
    const output = { format: 'png', compression: 100 } as const;
    const first = await editImage(source, 'Make it black and white', 300, 200, output);
    // A copy of the bytes: the same input by content, not by identity.
    const again = await editImage(Buffer.from(source), 'Convert to monochrome', 300, 200, output);
    expect(again).toBe(first); // the same effect: kept, not made again
    const inverted = await editImage(source, 'Invert the picture', 300, 200, output);
    expect(inverted.equals(first)).toBe(false);
    expect(await describeEdit(source, inverted)).toBe('Invert the colors of the image.');
    const larger = await editImage(source, 'Make it black and white', 600, 400, output);
    expect(await sharp(larger).metadata()).toMatchObject({ width: 600, height: 400 });
  });

  it('does not keep a failure: the same bad input fails again', async () => {
    const output = { format: 'png', compression: 100 } as const;
    const broken = Buffer.from('not an image');
    await expect(editImage(broken, 'Add a hat', 64, 64, output)).rejects.toThrow();
    await expect(editImage(broken, 'Add a hat', 64, 64, output)).rejects.toThrow();
  });
});
