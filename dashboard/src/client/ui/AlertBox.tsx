/** A message the user must read (an error, a refusal), announced by screen readers. */
export function AlertBox({ text }: { text: string }) {
  return (
    <p class="alert" role="alert">
      {text}
    </p>
  );
}
