import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newParticipant } from '../support/browser';
import { useRelayAndBrowser } from '../support/e2e-harness';
import { joinRoom, peerIds, twoPersonCall, waitUntil } from '../support/room-actions';

const pressed = (page: Page, name: string) => page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name, exact: true }).getAttribute('aria-pressed');
const micOnFor = (page: Page, peerId: string) => page.evaluate((id) => document.querySelector(`[data-peer-id="${id}"] .mic-muted`) === null, peerId);

describe('the interface in the browser’s language', () => {
  const h = useRelayAndBrowser();

  it('a browser in Spanish gets a Spanish page (home, join, call, chat time); Settings switches back to English, remembered', async () => {
    const { page } = await newParticipant(h.browser, { locale: 'es-ES' });
    await page.goto(h.relay.url);
    expect(await page.evaluate(() => navigator.languages)).toContain('es-ES');
    await page.getByRole('heading', { name: 'Salas de vídeo para hasta 50 personas' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await page.getByRole('button', { name: 'Crear sala' }).click();
    await page.getByRole('heading', { name: 'Tu sala está lista' }).waitFor();
    const link = await page.getByLabel('Enlace de invitación').inputValue();
    await page.getByLabel('Tu nombre').fill('Ana');
    await page.getByRole('button', { name: 'Entrar', exact: true }).click({ timeout: 15_000 });
    const toolbar = page.getByRole('navigation', { name: 'Controles de la llamada' });
    await toolbar.waitFor();
    // Accessible names are translated too.
    await toolbar.getByRole('button', { name: 'Micrófono' }).waitFor();
    await page.getByRole('heading', { name: 'Esperando a los demás: comparte el enlace' }).waitFor();
    await page.getByRole('button', { name: 'Copiar enlace' }).waitFor();
    // Bob (in English) joins; Ana's page stays Spanish. Chat times in the language's own style.
    const bob = (await newParticipant(h.browser)).page;
    await joinRoom(bob, 'Bob', link);
    await waitUntil(async () => (await peerIds(page)).length === 1, 20_000, 'Ana and Bob connected');
    await toolbar.getByRole('button', { name: 'Chat', exact: true }).click();
    await page.getByLabel('Mensaje').fill('hola');
    await page.getByRole('button', { name: 'Enviar' }).click();
    const time = page.locator('.chat-message time').first();
    expect(await time.innerText()).toMatch(/^\d{2}:\d{2}$/);
    await toolbar.getByRole('button', { name: 'Más' }).click();
    for (const item of ['Desenfocar el fondo', 'Supresión de ruido', 'Empezar a grabar', 'Ajustes']) {
      await page.getByRole('button', { name: item, exact: true }).waitFor();
    }
    await page.getByRole('button', { name: 'Ajustes', exact: true }).click();
    const settings = page.getByRole('dialog', { name: 'Ajustes' });
    await settings.getByLabel('Idioma').selectOption('en');
    await page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name: 'Microphone' }).waitFor();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await time.innerText()).toMatch(/\d{2}:\d{2}\s?(AM|PM)$/);
    // The choice wins over the browser's language from now on.
    await page.reload();
    await page.getByRole('button', { name: 'Join', exact: true }).or(page.getByRole('navigation', { name: 'Call controls' })).first().waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('a browser in German, then Portuguese and French from the home page', async () => {
    const { page } = await newParticipant(h.browser, { locale: 'de-DE' });
    await page.goto(h.relay.url);
    await page.getByRole('button', { name: 'Raum erstellen' }).waitFor();
    await page.getByLabel('Sprache').selectOption('pt');
    await page.getByRole('button', { name: 'Criar sala' }).waitFor();
    await page.getByLabel('Idioma').selectOption('fr');
    await page.getByRole('button', { name: 'Créer un salon' }).waitFor();
  });
});

describe('keyboard shortcuts', () => {
  const h = useRelayAndBrowser();

  it('M and V work as the buttons do (and the others see it), not while typing in chat; Space talks only while held; ? lists them', async () => {
    const { alice, bob } = await twoPersonCall(async () => (await newParticipant(h.browser)).page, h.relay.url);
    const [aliceId] = await peerIds(bob);
    await alice.locator('main.stage').click({ position: { x: 5, y: 5 } });
    expect(await pressed(alice, 'Microphone')).toBe('true');

    await alice.keyboard.press('m');
    expect(await pressed(alice, 'Microphone')).toBe('false');
    await waitUntil(async () => !(await micOnFor(bob, aliceId!)), 10_000, 'Bob sees Alice muted');
    await alice.keyboard.press('M');
    expect(await pressed(alice, 'Microphone')).toBe('true');
    await waitUntil(() => micOnFor(bob, aliceId!), 10_000, 'Bob sees Alice unmuted');

    await alice.keyboard.press('v');
    await expect.poll(() => pressed(alice, 'Camera')).toBe('false');
    await alice.keyboard.press('v');
    await expect.poll(() => pressed(alice, 'Camera')).toBe('true');

    // Typing in chat: the letters go into the message, nothing toggles.
    await alice.getByRole('button', { name: 'Chat', exact: true }).click();
    const message = alice.getByLabel('Message');
    await message.click();
    await alice.keyboard.type('mv ? ');
    expect(await message.inputValue()).toBe('mv ? ');
    expect(await pressed(alice, 'Microphone')).toBe('true');
    expect(await pressed(alice, 'Camera')).toBe('true');
    expect(await alice.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    await message.fill('');
    await alice.locator('main.stage').click({ position: { x: 5, y: 5 } });

    // Push-to-talk: muted, Space held → on (and Bob sees it), released → off again.
    await alice.keyboard.press('m');
    expect(await pressed(alice, 'Microphone')).toBe('false');
    await alice.keyboard.down('Space');
    expect(await pressed(alice, 'Microphone')).toBe('true');
    await alice.getByRole('status').filter({ hasText: 'Talking (push-to-talk)' }).waitFor();
    await waitUntil(() => micOnFor(bob, aliceId!), 10_000, 'Bob hears Alice while Space is held');
    await alice.waitForTimeout(600); // key repeat must not toggle anything
    expect(await pressed(alice, 'Microphone')).toBe('true');
    await alice.keyboard.up('Space');
    expect(await pressed(alice, 'Microphone')).toBe('false');
    await waitUntil(async () => !(await micOnFor(bob, aliceId!)), 10_000, 'Bob sees Alice muted after release');
    // Space with the microphone already on changes nothing.
    await alice.keyboard.press('m');
    await alice.keyboard.down('Space');
    await alice.keyboard.up('Space');
    expect(await pressed(alice, 'Microphone')).toBe('true');

    // ? lists every shortcut; Escape closes the list.
    await alice.keyboard.press('?');
    const help = alice.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const text = await help.innerText();
    for (const line of ['M', 'V', 'Space', '?', 'Turn the microphone on or off', 'Turn the camera on or off', 'Hold to talk while muted', 'Show or hide this list']) {
      expect(text).toContain(line);
    }
    await alice.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    // Also from More.
    await alice.getByRole('button', { name: 'More' }).click();
    await alice.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await help.waitFor();
  });
});
