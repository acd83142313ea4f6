// 同步中心: the package's sync-center lists every pending item and dead
// letter, with retry and discard; the page only hosts it.
Component({})
