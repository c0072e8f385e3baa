using Nachos.Host.Commands;

return await NachosCli.Create(args).Parse(args).InvokeAsync();
