/** Light, dark, or whatever the system prefers; remembered across visits. */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'sap.theme';

class Theme {
  choice = $state<ThemeChoice>('system');

  constructor() {
    const saved = localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') this.choice = saved;
    this.apply();
  }

  cycle(): void {
    this.choice = this.choice === 'system' ? 'light' : this.choice === 'light' ? 'dark' : 'system';
    if (this.choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, this.choice);
    this.apply();
  }

  private apply(): void {
    const root = document.documentElement;
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
  }
}

export const theme = new Theme();
