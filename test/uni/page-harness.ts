/**
 * A uni-app page for tests: Vue renders it and the real `@dcloudio/uni-app`
 * hooks register on it, without a uni-app runtime.
 *
 * `@dcloudio/uni-app` needs uni-app's own build of Vue (it calls
 * `injectHook`, which the `vue` package does not export; a uni-app build
 * aliases `vue` to that build). Test files that mount pages therefore map
 * `vue` to `@dcloudio/uni-h5-vue`, the Vue 3 runtime of uni-app's H5 target:
 * `jest.mock('vue', () => jest.requireActual('@dcloudio/uni-h5-vue'))`.
 *
 * Vue renders into a plain object tree (a custom renderer, as uni-app's
 * mini-program runtime is: there is no DOM on mp-weixin). The page does what
 * uni-app's `setupPage` does (`instance.$pageInstance = instance`, so page
 * hooks called in child components land on the page), and `show()` /
 * `hide()` / `unload()` fire the hooks exactly as uni-app's `invokeHook`
 * does: `invokeArrayFns(vm.$[name])`.
 *
 * @example
 * ```ts
 * const page = mountPage(() => useOfflineStatus(offline), (status) => (status.value.online ? 'on' : 'off'))
 * page.hide(); page.show(); page.unload()
 * ```
 */
import { invokeArrayFns, ON_HIDE, ON_SHOW, ON_UNLOAD } from '@dcloudio/uni-shared'
import {
  createRenderer,
  defineComponent,
  getCurrentInstance,
  h,
  nextTick,
  ref,
  type ComponentInternalInstance,
  type ComponentOptions,
  type SetupContext,
} from 'vue'

/** A node of the rendered tree. */
interface ViewNode {
  tag: string
  text: string
  props: Record<string, unknown>
  children: ViewNode[]
  parent: ViewNode | null
}

const node = (tag: string, text = ''): ViewNode => ({ tag, text, props: {}, children: [], parent: null })

function detach(child: ViewNode): void {
  const parent = child.parent
  if (!parent) return
  parent.children.splice(parent.children.indexOf(child), 1)
  child.parent = null
}

const { createApp } = createRenderer<ViewNode, ViewNode>({
  createElement: (tag) => node(tag),
  createText: (text) => node('#text', text),
  createComment: (text) => node('#comment', text),
  setText: (target, text) => void (target.text = text),
  setElementText: (target, text) => {
    target.children.forEach((child) => (child.parent = null))
    target.children = []
    target.text = text
  },
  insert: (child, parent, anchor) => {
    detach(child)
    const at = anchor ? parent.children.indexOf(anchor) : -1
    parent.children.splice(at < 0 ? parent.children.length : at, 0, child)
    child.parent = parent
  },
  remove: detach,
  parentNode: (target) => target.parent,
  nextSibling: (target) => {
    const siblings = target.parent?.children ?? []
    return siblings[siblings.indexOf(target) + 1] ?? null
  },
  patchProp: (target, key, _previous, next) => void (target.props[key] = next),
})

const textOf = (target: ViewNode): string => (target.tag === '#comment' ? '' : target.text + target.children.map(textOf).join(''))

function findAll(target: ViewNode, match: (candidate: ViewNode) => boolean): ViewNode[] {
  return [...(match(target) ? [target] : []), ...target.children.flatMap((child) => findAll(child, match))]
}

type PageHook = typeof ON_SHOW | typeof ON_HIDE | typeof ON_UNLOAD

/** An open page: its rendered text, taps, and the runtime's page events. */
export interface PageHandle {
  /** The rendered text, after Vue has flushed pending renders. */
  renderedText(): Promise<string>
  /** Taps the one enabled element whose text is `label` (`index` picks among several); resolves with what its handler returned. */
  tap(label: string, index?: number): Promise<unknown>
  /** The runtime's page `onShow`. */
  show(): void
  /** The runtime's page `onHide` (another page on top, or the app went to the background). */
  hide(): void
  /**
   * The runtime closing the page: `onUnload`, then unmount. With
   * `keepMounted`, only `onUnload`, as uni-app H5 does when the closed
   * page's component stays in its route cache for a while.
   */
  unload(options?: { keepMounted?: boolean }): void
}

/** A page mounted by {@link mountPage}: also what `setup` returned. */
export interface TestPage<State> extends PageHandle {
  /** What `setup` returned (the composables' refs). */
  readonly state: State
  /** With `inChild`: removes the child component (a `v-if` turning false) while the page stays. */
  removeChild(): Promise<void>
}

/** Where `setup` runs and whether the page gets its first `onShow`. */
export interface MountOptions {
  /** Runs `setup` in a child component of the page instead of the page itself. Default false. */
  inChild?: boolean
  /** Fires the page's first `onShow` after mounting, as uni-app does when it opens a page. Default true. */
  firstShow?: boolean
}

/** A page component: anything with a `setup`, such as a compiled `<script setup>` SFC. */
export type PageComponent = ComponentOptions & { setup: (props: Record<string, unknown>, context: SetupContext) => unknown }

/**
 * Opens `component` as uni-app opens a page: its setup runs as the page
 * (`$pageInstance` is itself, which uni-app's `setupPage` sets first), then
 * the first `onShow` fires unless `firstShow` is false.
 */
export function openPage(component: PageComponent, { firstShow = true } = {}): PageHandle {
  let pageInstance: ComponentInternalInstance | null = null
  const Page = defineComponent({
    ...component,
    setup(props: Record<string, unknown>, context: SetupContext) {
      pageInstance = getCurrentInstance()
      // uni's Vue sends page hooks registered in child components to this instance.
      if (pageInstance) Object.assign(pageInstance, { $pageInstance: pageInstance })
      return component.setup(props, context)
    },
  })
  const root = node('page')
  const app = createApp(Page)
  app.mount(root)
  const call = (name: PageHook): void => {
    if (!pageInstance) throw new Error('the page was not set up')
    // uni-app's invokeHook: `vm.$[name]`, run with invokeArrayFns.
    const hooks = (pageInstance.proxy?.$ as unknown as Record<string, Array<() => unknown> | undefined>)[name]
    if (hooks) invokeArrayFns(hooks)
  }
  const page: PageHandle = {
    async renderedText() {
      await nextTick()
      return textOf(root)
    },
    async tap(label, index = 0) {
      await nextTick()
      const targets = findAll(root, (candidate) => textOf(candidate) === label && typeof candidate.props.onClick === 'function' && !candidate.props.disabled)
      const handler = targets[index]?.props.onClick as ((event: unknown) => unknown) | undefined
      if (!handler) throw new Error(`nothing to tap labelled "${label}" (#${index}) in: ${textOf(root)}`)
      return handler({ type: 'tap' })
    },
    show: () => call(ON_SHOW),
    hide: () => call(ON_HIDE),
    unload({ keepMounted = false } = {}) {
      call(ON_UNLOAD)
      if (!keepMounted) app.unmount()
    },
  }
  if (firstShow) page.show()
  return page
}

/**
 * Opens a page whose `setup()` (or a child's, with `inChild`) runs `setup`
 * and whose template shows `render(state)`.
 */
export function mountPage<State>(setup: () => State, render: (state: State) => string = () => '', options: MountOptions = {}): TestPage<State> {
  let state: State | undefined
  const childShown = ref(true)
  const setupView = () => {
    const created = setup()
    state = created
    return () => h('view', render(created))
  }
  const View = defineComponent({ setup: setupView })
  const page = openPage(
    { setup: () => (options.inChild ? () => h('view', childShown.value ? [h(View)] : []) : setupView()) },
    { firstShow: options.firstShow },
  )
  return {
    ...page,
    get state() {
      if (state === undefined) throw new Error('setup did not run')
      return state
    },
    async removeChild() {
      childShown.value = false
      await nextTick()
    },
  }
}
